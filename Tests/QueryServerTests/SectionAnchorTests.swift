@testable import QueryServer
import Testing

@Suite struct SectionAnchorTests {
    @Test func slugsKeepLettersAndDigitsAndJoinTheRestWithOneDash() {
        #expect(SectionAnchor.slug("Travel & Expenses") == "travel-expenses")
        #expect(SectionAnchor.slug("401(k) Plan: Matching") == "401-k-plan-matching")
        #expect(SectionAnchor.slug("  Café — Überstunden ½ ") == "café-überstunden-½")
        #expect(SectionAnchor.slug("!!!") == "section")
    }

    @Test func asciiShortcutAgreesWithTheUnicodeTables() {
        for value in UInt8(0)...UInt8(127) {
            let scalar = Unicode.Scalar(value)
            let byTables = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            #expect(SectionAnchor.isKept(scalar) == byTables, "U+\(value)")
        }
    }
}
