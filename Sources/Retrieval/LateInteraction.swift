#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Embeddings
import IndexFormat

/// Late-interaction re-ranking of hybrid search's first chunks (ColBERT's MaxSim, Khattab and
/// Zaharia, SIGIR 2020, over the embedding model's own token states; docs/decisions/0006).
///
/// A chunk's vector is the mean of its tokens' states, so a passage that answers the question in
/// one sentence and talks of other things in the rest scores like a passage that is vaguely about
/// the question throughout. Here every question token looks for its best match among the chunk's
/// tokens instead: the score is the mean, over the question's tokens weighted by idf, of the best
/// estimated cosine (from the artifact's sign signatures) with any token of the chunk. The first
/// `depth` chunks of the fused ranking are re-ordered by that score (min-max scaled over them),
/// with the search's document prior applied again, and stay ahead of the rest.
public struct LateInteraction: Equatable, Sendable {
    /// How many of the fused ranking's first chunks are re-ranked; 0 turns re-ranking off.
    public var depth: Int

    public init(depth: Int) {
        precondition(depth >= 0, "re-ranking depth \(depth)")
        self.depth = depth
    }

    /// What policyd and policyc eval use: the first 20 chunks, chosen on half A of the gold
    /// questions (docs/EVALUATION.md).
    public static let standard = LateInteraction(depth: 20)
    public static let none = LateInteraction(depth: 0)

    /// `ranking` (best first) with its first `depth` chunks re-ordered by their late-interaction
    /// score against `question`. Their scores become that score plus `documentPrior`'s share, shifted
    /// by one above the best score of the chunks after them, so scores still decrease down the ranking.
    func rerank(_ ranking: [SearchHit], question: TokenSignatures, signatures: TokenSignatureTable, documentPrior: DocumentPrior,
                documentOf: (Int) -> Int, chunkCount: (Int) -> Int) throws(ArtifactError) -> [SearchHit] {
        let head = Array(ranking.prefix(depth))
        guard head.count > 1, question.tokenCount > 0, question.dimension == signatures.dimension else { return ranking }
        let weights = try Self.weights(of: question, in: signatures)
        var scores: [Float] = []
        scores.reserveCapacity(head.count)
        for hit in head {
            scores.append(Self.score(question, weights: weights, chunk: try signatures.signatures(ofChunk: hit.chunkIndex)))
        }
        let low = scores.min()!, high = scores.max()!
        let rescored = zip(head, scores).map { hit, score in
            SearchHit(chunkIndex: hit.chunkIndex, score: high > low ? (score - low) / (high - low) : 1)
        }.sorted(by: TopK.isBetter)
        let reranked = documentPrior.apply(to: rescored, documentOf: documentOf, chunkCount: chunkCount)
        let rest = ranking.dropFirst(depth)
        let shift = (rest.first?.score ?? 0) + 1
        return reranked.map { SearchHit(chunkIndex: $0.chunkIndex, score: $0.score + shift) } + rest
    }

    /// Each question token's weight: its WordPiece's idf over the chunks,
    /// `ln(1 + (N − df + 0.5) / (df + 0.5))` (BM25's, so rare pieces count most).
    static func weights(of question: TokenSignatures, in signatures: TokenSignatureTable) throws(ArtifactError) -> [Float] {
        let chunks = Double(signatures.chunkCount)
        var weights: [Float] = []
        weights.reserveCapacity(question.tokenCount)
        for piece in question.pieceIDs {
            let frequency = Double(try signatures.documentFrequency(ofPiece: piece))
            weights.append(Float(log(1 + (chunks - frequency + 0.5) / (frequency + 0.5))))
        }
        return weights
    }

    /// Σₜ wₜ · maxᵤ (1 − 2 · hamming(qₜ, cᵤ) / dimension) / Σₜ wₜ over the question's tokens t and the
    /// chunk's tokens u (`chunk` holds `wordsPerToken` words a token); −1 for a chunk of no tokens.
    static func score(_ question: TokenSignatures, weights: [Float], chunk: [UInt64]) -> Float {
        guard chunk.count >= question.wordsPerToken else { return -1 }
        let fewest = Kernels.fewestDifferingBits(question: question.words, chunk: chunk, wordsPerToken: question.wordsPerToken)
        var total: Float = 0, weightSum: Float = 0
        for (token, distance) in fewest.enumerated() {
            total += weights[token] * (1 - 2 * Float(distance) / Float(question.dimension))
            weightSum += weights[token]
        }
        return weightSum > 0 ? total / weightSum : 0
    }
}
