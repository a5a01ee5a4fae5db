import Foundation
import Retrieval
import Testing

/// The stemmer against the Snowball project's own implementation: every pair of
/// `Fixtures/snowball-english.tsv` (made by tools/golden/make-stems.sh; see its header for the word list).
@Suite struct EnglishStemmerTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/snowball-english.tsv")

    @Test func everyGoldenPairMatches() throws {
        let lines = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count > 80_000)
        var mismatches: [String] = []
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { Issue.record("bad fixture line \(line)"); continue }
            let stem = EnglishStemmer.stem(String(fields[0]))
            if stem != fields[1] { mismatches.append("\(fields[0]) → \(stem), expected \(fields[1])") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(20).joined(separator: "; "))")
    }

    @Test(arguments: [("reimbursements", "reimburs"), ("travelling", "travel"), ("dying", "die"), ("succeeded", "succeed"),
                      ("generously", "generous"), ("skies", "sky"), ("café", "café"), ("401k", "401k")])
    func knownStems(word: String, stem: String) {
        #expect(EnglishStemmer.stem(word) == stem)
    }
}
