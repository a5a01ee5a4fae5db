#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IndexFormat

/// Okapi BM25 over the artifact's lexicon, with Lucene's non-negative idf:
///
///     score(q, c) = Σ over query terms t (repeats counted) of
///                   idf(t) · tf(t, c) · (k1 + 1) / (tf(t, c) + k1 · (1 − b + b · |c| / avg|c|))
///     idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
///
/// N is the chunk count, df the chunks holding t, |c| the chunk's length in terms. Cost: one
/// dictionary lookup per query term plus its postings; nothing else is read.
public struct BM25Search: Sendable {
    public let lexicon: Lexicon

    /// Fails when the lexicon was made by another tokenizer version (queries would not match it).
    public init(lexicon: Lexicon) throws(RetrievalError) {
        guard lexicon.tokenizerVersion == SearchTokenizer.version else {
            throw .tokenizerMismatch(artifact: lexicon.tokenizerVersion, reader: SearchTokenizer.version)
        }
        self.lexicon = lexicon
    }

    /// Every chunk that holds at least one query term, with its score (unordered).
    public func scores(for query: String) throws(ArtifactError) -> [Int: Float] {
        try scores(forTerms: SearchTokenizer.terms(query))
    }

    /// As `scores(for:)`, for terms already normalised.
    public func scores(forTerms terms: [String]) throws(ArtifactError) -> [Int: Float] {
        let scored = try chunkScores(forTerms: terms)
        return Dictionary(uniqueKeysWithValues: scored.matched.map { ($0, scored.scores[$0]) })
    }

    /// As `scores(for:)`, in the form a search reads fastest: one score per chunk of the artifact.
    public func chunkScores(for query: String) throws(ArtifactError) -> LexicalScores {
        try chunkScores(forTerms: SearchTokenizer.terms(query))
    }

    /// As `chunkScores(for:)`, for terms already normalised.
    public func chunkScores(forTerms terms: [String]) throws(ArtifactError) -> LexicalScores {
        let chunkCount = Float(lexicon.chunkCount)
        let average = max(lexicon.averageChunkLength, 1e-9)
        let k1 = lexicon.k1, b = lexicon.b
        // An array, not a dictionary: a search spends most of its lexical time adding to these.
        var scored = LexicalScores(scores: [Float](repeating: 0, count: lexicon.chunkCount), matched: [])
        var isMatched = [Bool](repeating: false, count: lexicon.chunkCount)
        for term in terms {
            guard let index = try lexicon.index(of: term) else { continue }
            let postings = try lexicon.postings(ofTermAt: index)
            let frequency = Float(postings.count)
            let idf = logf(1 + (chunkCount - frequency + 0.5) / (frequency + 0.5))
            for posting in postings {
                let tf = Float(posting.termFrequency)
                let length = Float(try lexicon.chunkLength(posting.chunkIndex))
                scored.scores[posting.chunkIndex] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
                if !isMatched[posting.chunkIndex] {
                    isMatched[posting.chunkIndex] = true
                    scored.matched.append(posting.chunkIndex)
                }
            }
        }
        return scored
    }

    /// The `k` best chunks, best first, ties to the lower chunk index; `isAllowed` filters chunks.
    public func search(_ query: String, k: Int, isAllowed: (Int) -> Bool = { _ in true }) throws(ArtifactError) -> [SearchHit] {
        guard k > 0 else { return [] }
        var best = TopK(capacity: k)
        let scored = try chunkScores(for: query)
        for chunk in scored.matched where isAllowed(chunk) {
            best.insert(SearchHit(chunkIndex: chunk, score: scored.scores[chunk]))
        }
        return best.sorted()
    }
}

/// BM25 scores of one query over every chunk of an artifact.
public struct LexicalScores: Sendable {
    /// Per chunk index, its score: 0 for a chunk that holds no query term.
    public var scores: [Float]
    /// The chunks that hold at least one query term, in the order the postings first named them.
    public var matched: [Int]
}
