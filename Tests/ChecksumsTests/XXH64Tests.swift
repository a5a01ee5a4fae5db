import Foundation
import Testing
import Checksums

/// Golden values from the reference C implementation (`tools/golden/make_xxh64.sh`).
@Suite struct XXH64Tests {
    struct Golden: Decodable {
        struct Case: Decodable { let length: Int; let seed: UInt64; let hash: UInt64 }
        let cases: [Case]
    }

    static func sample(_ length: Int) -> [UInt8] {
        (0..<length).map { UInt8(($0 * 131 + 7) % 256) }
    }

    @Test func matchesReferenceImplementationAtEveryTailLength() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/xxh64-golden.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        #expect(golden.cases.count > 200)
        for item in golden.cases {
            #expect(XXH64.hash(Self.sample(item.length), seed: item.seed) == item.hash,
                    "length \(item.length), seed \(item.seed)")
        }
    }

    @Test func publishedEmptyInputValue() {
        // The value the xxHash specification lists for empty input with seed 0.
        #expect(XXH64.hash([]) == 0xEF46_DB37_51D8_E999)
    }
}
