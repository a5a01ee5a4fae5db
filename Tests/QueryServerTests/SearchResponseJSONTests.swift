import Foundation
@testable import QueryServer
import Testing

/// The search body is written by hand (`SearchResponse.jsonBytes`); JSONEncoder over the same
/// value, as every other body is encoded, is the reference it must read the same as.
@Suite struct SearchResponseJSONTests {
    static func result(rank: Int, text: String, lexicalRank: Int?, score: Float) -> SearchResponse.Result {
        SearchResponse.Result(
            rank: rank, chunkId: "c\(rank)", score: score, rankScore: score * 2.5, denseScore: score, denseRank: rank + 1,
            lexicalScore: lexicalRank == nil ? 0 : 9.5, lexicalRank: lexicalRank, chunkIds: ["c\(rank)", "c\(rank + 1)"],
            document: .init(index: rank, path: "hr/leave \"annual\".md", title: "Leave / Time Off"),
            headingPath: ["Leave", "Annual \\ Sick"], headingPathText: "Leave > Annual \\ Sick", text: text,
            sourceCharacterRange: [rank * 10, rank * 10 + 9], url: "/v1/documents/\(rank)#annual")
    }

    static let texts = [
        "Twenty days a year.",
        "Quotes \" and backslashes \\ and slashes / stay readable.",
        "Lines\nand\ttabs\rand controls \u{01}\u{08}\u{0C}\u{1F} too.",
        "Ünïcödé, 中文, emoji 🎉, and U+2028 \u{2028} in text.",
        "",
    ]

    static let responses: [SearchResponse] = [
        SearchResponse(results: texts.enumerated().map { result(rank: $0.offset + 1, text: $0.element, lexicalRank: $0.offset % 2 == 0 ? $0.offset + 3 : nil,
                                                                score: [0.51284206, 1, 1e-7, 123456.79, -0.25][$0.offset]) },
                       k: 5, mode: "hybrid", notice: nil, embeddingCached: false,
                       timingsMs: .init(embed: 3.23, search: 0.4, total: 3.84), artifactDigest: "af9b47", reloadGeneration: 1),
        SearchResponse(results: [], k: 50, mode: "dense", notice: "hybrid search ran as dense: no \"lexicon\"", embeddingCached: true,
                       timingsMs: .init(embed: 0, search: 0.012, total: 1e-3), artifactDigest: "", reloadGeneration: 0),
    ]

    @Test(arguments: responses.indices)
    func handWrittenBodyReadsAsJSONEncodersDoes(index: Int) throws {
        let response = Self.responses[index]
        let handWrittenBytes = try response.jsonBytes(), referenceBytes = Array(try JSONResponse.encode(response))
        let handWritten = try JSONSerialization.jsonObject(with: Data(handWrittenBytes))
        let reference = try JSONSerialization.jsonObject(with: Data(referenceBytes))
        #expect(Self.same(handWritten, reference),
                "\(String(decoding: handWrittenBytes, as: UTF8.self))\n\(String(decoding: referenceBytes, as: UTF8.self))")
        // Same keys in the same (sorted) order, so a reader of the raw text sees no difference either.
        #expect(Self.keys(in: handWrittenBytes) == Self.keys(in: referenceBytes))
    }

    @Test func aNonFiniteScoreIsRefusedNotWritten() {
        var response = Self.responses[0]
        response.results[2].denseScore = .nan
        #expect(throws: JSONWriter.NonFiniteNumber.self) { try response.jsonBytes() }
        response.results[2].denseScore = 0.5
        response.timingsMs.total = .infinity
        #expect(throws: JSONWriter.NonFiniteNumber.self) { try response.jsonBytes() }
    }

    /// Equal JSON values: objects key by key, arrays element by element, numbers by value.
    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (a as [String: Any], b as [String: Any]):
            return Set(a.keys) == Set(b.keys) && a.allSatisfy { same($0.value, b[$0.key]!) }
        case let (a as [Any], b as [Any]):
            return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case let (a as String, b as String):
            return a == b
        case let (a as NSNumber, b as NSNumber):
            return a.doubleValue == b.doubleValue
        default:
            return false
        }
    }

    /// Every object key in the text, in order of appearance.
    static func keys(in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let pattern = try! NSRegularExpression(pattern: #""([a-z_]+)":"#)
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
