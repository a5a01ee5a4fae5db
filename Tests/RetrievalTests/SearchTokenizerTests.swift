@testable import Retrieval
import Testing

@Suite struct SearchTokenizerTests {
    @Test(arguments: [
        ("Contribute to your 401(k) plan", ["contribut", "401k", "plan"]),
        ("Complete Form I-9 within three days", ["complet", "form", "i9", "9", "within", "three", "day"]),
        ("Purchases over $5,000 need approval", ["purchas", "over", "5000", "need", "approv"]),
        ("SOC 2 Type II report", ["soc", "2", "type", "ii", "report"]),
        ("Per diem is 1.5 times", ["per", "diem", "1.5", "time"]),
        ("Café résumé naïve", ["cafe", "resum", "naiv"]),
        ("The employee’s manager", ["employe", "manag"]),
        ("MFA, SSO and VPN.", ["mfa", "sso", "vpn"]),
        ("COVID-19 and 24/7 support", ["covid19", "covid", "19", "247", "24", "7", "support"]),
        ("SOC-2 and $1,000-$2,000", ["soc2", "soc", "2", "1000", "2000"]),
        ("full-time staff", ["full", "time", "staff"]),
    ])
    func termsKeepExactTermsWhole(text: String, expected: [String]) {
        #expect(SearchTokenizer.terms(text) == expected)
    }

    @Test func queriesAndPassagesNormaliseAlike() {
        // What a person types and what the handbook wrote meet on the same terms.
        #expect(SearchTokenizer.terms("401k") == SearchTokenizer.terms("401(k)"))
        #expect(SearchTokenizer.terms("i-9 form") == SearchTokenizer.terms("I-9 Form"))
        #expect(SearchTokenizer.terms("$5,000") == SearchTokenizer.terms("5000"))
        #expect(SearchTokenizer.terms("RÉSUMÉ") == SearchTokenizer.terms("resume"))
        // A code written with a hyphen also yields its parts, so "SOC-2" meets "SOC 2" and "I9" meets "I-9".
        #expect(Set(SearchTokenizer.terms("SOC 2")).isSubset(of: SearchTokenizer.terms("SOC-2")))
        #expect(Set(SearchTokenizer.terms("I9")).isSubset(of: SearchTokenizer.terms("I-9")))
    }

    @Test func stopwordsAndPunctuationLeaveNothing() {
        #expect(SearchTokenizer.terms("what is the ... , ; ?").isEmpty)
        #expect(SearchTokenizer.terms("").isEmpty)
        #expect(SearchTokenizer.terms("not") == ["not"])
    }

    @Test func asciiShortcutsAgreeWithTheUnicodeTables() {
        // fold, isLetter and isDigit answer ASCII without Unicode's property tables; every one of
        // the 128 scalars must get what the tables say.
        for value in UInt8(0)...UInt8(127) {
            let scalar = Unicode.Scalar(value)
            #expect(SearchTokenizer.isLetter(scalar) == scalar.properties.isAlphabetic, "U+\(value)")
            #expect(SearchTokenizer.isDigit(scalar) == (scalar.properties.numericType == .decimal), "U+\(value)")
            #expect(SearchTokenizer.fold(String(scalar)) == Array(scalar.properties.lowercaseMapping.unicodeScalars), "U+\(value)")
        }
    }
}
