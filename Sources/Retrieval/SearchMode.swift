/// Which ranking a search uses.
public enum SearchMode: String, Sendable, CaseIterable, Codable {
    /// Dense and lexical fused (the default).
    case hybrid
    /// Cosine similarity of the embeddings alone.
    case dense
    /// BM25 alone.
    case lexical
}

/// One result: a chunk, or several adjacent chunks of the same section shown as one passage,
/// with both rankings' scores and ranks so callers can apply thresholds to either.
public struct RankedChunk: Equatable, Sendable {
    /// The best-ranked chunk of the passage.
    public var chunkIndex: Int
    /// Every chunk the passage shows, in chunk order (holds `chunkIndex`).
    public var chunkIndices: [Int]
    /// The score the mode ranked by: cosine (dense), BM25 (lexical) or the fused score (hybrid).
    public var score: Float
    /// Cosine similarity of the query and `chunkIndex`, whatever the mode.
    public var denseScore: Float
    /// 1-based rank of `chunkIndex` in the dense ranking of the searched chunks.
    public var denseRank: Int
    /// BM25 score of `chunkIndex` (0 when no query term occurs in it).
    public var lexicalScore: Float
    /// 1-based rank in the BM25 ranking; nil when no query term occurs in the chunk or the
    /// artifact has no lexicon.
    public var lexicalRank: Int?
}

/// What a search returned and how it ran.
public struct RetrievalOutcome: Equatable, Sendable {
    public var results: [RankedChunk]
    /// The mode asked for, or dense when hybrid had to do without a lexicon.
    public var modeUsed: SearchMode
    /// Why the mode used differs from the mode asked for, when it does.
    public var notice: String?

    public init(results: [RankedChunk], modeUsed: SearchMode, notice: String?) {
        self.results = results
        self.modeUsed = modeUsed
        self.notice = notice
    }
}
