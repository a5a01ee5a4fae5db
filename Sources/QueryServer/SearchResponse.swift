/// The body `POST /v1/search` answers with (snake_case on the wire). Written by hand
/// (`jsonBytes`); the `Encodable` conformance is the reference the hand-written text is tested against.
struct SearchResponse: Encodable, HandWrittenJSON {
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

extension SearchResponse {
    /// The body as JSONEncoder writes it with snake_case keys, `.sortedKeys` and unescaped slashes
    /// (nil fields left out), written directly: keys below in sorted order.
    func jsonBytes() throws(JSONWriter.NonFiniteNumber) -> [UInt8] {
        var json = JSONWriter(capacity: 1024 + results.reduce(0) { $0 + $1.text.utf8.count + 512 })
        json.raw("{")
        json.key("artifact_digest"); json.string(artifactDigest)
        json.raw(","); json.key("embedding_cached"); json.bool(embeddingCached)
        json.raw(","); json.key("k"); json.number(k)
        json.raw(","); json.key("mode"); json.string(mode)
        if let notice { json.raw(","); json.key("notice"); json.string(notice) }
        json.raw(","); json.key("reload_generation"); json.number(reloadGeneration)
        json.raw(","); json.key("results"); json.raw("[")
        for (index, result) in results.enumerated() {
            if index > 0 { json.raw(",") }
            try result.write(to: &json)
        }
        json.raw("]")
        json.raw(","); json.key("timings_ms"); json.raw("{")
        json.key("embed"); try json.number(timingsMs.embed)
        json.raw(","); json.key("search"); try json.number(timingsMs.search)
        json.raw(","); json.key("total"); try json.number(timingsMs.total)
        json.raw("}}")
        return json.bytes
    }
}

extension SearchResponse.Result {
    fileprivate func write(to json: inout JSONWriter) throws(JSONWriter.NonFiniteNumber) {
        json.raw("{")
        json.key("chunk_id"); json.string(chunkId)
        json.raw(","); json.key("chunk_ids"); json.strings(chunkIds)
        json.raw(","); json.key("dense_rank"); json.number(denseRank)
        json.raw(","); json.key("dense_score"); try json.number(denseScore)
        json.raw(","); json.key("document"); json.raw("{")
        json.key("index"); json.number(document.index)
        json.raw(","); json.key("path"); json.string(document.path)
        json.raw(","); json.key("title"); json.string(document.title)
        json.raw("}")
        json.raw(","); json.key("heading_path"); json.strings(headingPath)
        json.raw(","); json.key("heading_path_text"); json.string(headingPathText)
        if let lexicalRank { json.raw(","); json.key("lexical_rank"); json.number(lexicalRank) }
        json.raw(","); json.key("lexical_score"); try json.number(lexicalScore)
        json.raw(","); json.key("rank"); json.number(rank)
        json.raw(","); json.key("rank_score"); try json.number(rankScore)
        json.raw(","); json.key("score"); try json.number(score)
        json.raw(","); json.key("source_character_range"); json.numbers(sourceCharacterRange)
        json.raw(","); json.key("text"); json.string(text)
        json.raw(","); json.key("url"); json.string(url)
        json.raw("}")
    }
}
