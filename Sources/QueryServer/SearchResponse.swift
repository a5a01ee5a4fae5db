/// The body `POST /v1/search` answers with (snake_case on the wire, spelled out in the coding keys:
/// the encoder's key conversion cost a fifth of this, the daemon's busiest body, to encode).
struct SearchResponse: Encodable, WireKeyed {
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

        enum CodingKeys: String, CodingKey {
            case rank, score, document, text, url
            case chunkId = "chunk_id", rankScore = "rank_score", denseScore = "dense_score", denseRank = "dense_rank"
            case lexicalScore = "lexical_score", lexicalRank = "lexical_rank", chunkIds = "chunk_ids", headingPath = "heading_path"
            case headingPathText = "heading_path_text", sourceCharacterRange = "source_character_range"
        }
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

    enum CodingKeys: String, CodingKey {
        case results, k, mode, notice
        case embeddingCached = "embedding_cached", timingsMs = "timings_ms", artifactDigest = "artifact_digest"
        case reloadGeneration = "reload_generation"
    }
}
