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
        /// Cosine similarity of the question and the passage's best chunk, in every mode (the
        /// refusal threshold is calibrated on it).
        var score: Float
        /// What the mode ranked by: the cosine (dense), BM25 (lexical) or the fused score (hybrid).
        var rankScore: Float
        var denseScore: Float
        /// 1-based rank of this chunk in the dense ranking.
        var denseRank: Int
        /// BM25 score (0 when no query term occurs in the chunk).
        var lexicalScore: Float
        /// 1-based rank in the BM25 ranking; null when no query term occurs or there is no lexicon.
        var lexicalRank: Int?
        /// Every chunk the passage shows: adjacent chunks of one section are merged into one result.
        var chunkIds: [String]
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
    /// The mode that ran: the one asked for, or "dense" when hybrid had no lexicon (`notice` says why).
    var mode: String
    var notice: String?
    var embeddingCached: Bool
    var timingsMs: Timings
    var artifactDigest: String
    var reloadGeneration: Int
}
