/// The body `POST /v1/search` answers with (snake_case on the wire).
struct SearchResponse: Encodable {
    struct Result: Encodable {
        struct Document: Encodable {
            var index: Int
            var path: String
            var title: String
        }
        var rank: Int
        var chunkId: String
        var score: Float
        var document: Document
        var headingPath: [String]
        var headingPathText: String
        var text: String
        /// Unicode scalar offsets in the source document, [start, end).
        var sourceCharacterRange: [Int]
        /// The document's section this chunk lies in: `/v1/documents/{index}#{anchor}`.
        var url: String
    }

    struct Timings: Encodable {
        var embed: Double
        var search: Double
        var total: Double
    }

    var results: [Result]
    var k: Int
    var embeddingCached: Bool
    var timingsMs: Timings
    var artifactDigest: String
    var reloadGeneration: Int
}
