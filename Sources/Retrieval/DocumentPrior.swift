/// Hybrid ranking's document evidence: each fused candidate gains `weight` times the strength of
/// its document, the mean of the document's best `min(3, its chunk count)` fused scores (chunks
/// missing from the candidates count 0; a document of one chunk is as strong as that chunk, so
/// short documents are not held back). Passage retrieval gains from combining a passage's score
/// with its document's (Callan, SIGIR 1994): on the handbook, a question's answer sits in a policy
/// whose other sections also match, while a stray section of another policy matches alone.
/// `weight` 0.5 was chosen on half A of the gold questions only (docs/EVALUATION.md).
public struct DocumentPrior: Equatable, Sendable {
    public var weight: Float
    /// How many of a document's best chunks make its strength.
    static let bestChunkCount = 3

    public init(weight: Float) {
        precondition(weight.isFinite && weight >= 0, "document prior weight \(weight)")
        self.weight = weight
    }

    /// What policyd and policyc eval use.
    public static let standard = DocumentPrior(weight: 0.5)
    /// No document evidence: the fused score alone.
    public static let none = DocumentPrior(weight: 0)

    /// `fused` (best first) re-scored, best first, ties to the lower chunk index. `documentOf` maps
    /// a chunk to its document, `chunkCount` a document to its number of chunks.
    func apply(to fused: [SearchHit], documentOf: (Int) -> Int, chunkCount: (Int) -> Int) -> [SearchHit] {
        guard weight > 0 else { return fused }
        // Per document, the sum of its best fused scores (at most 3, added best first) and how many.
        var best: [Int: (sum: Float, count: Int)] = [:]
        best.reserveCapacity(fused.count)
        for hit in fused {
            let document = documentOf(hit.chunkIndex)
            let sofar = best[document, default: (0, 0)]
            if sofar.count < Self.bestChunkCount { best[document] = (sofar.sum + hit.score, sofar.count + 1) }
        }
        return fused.map { hit in
            let document = documentOf(hit.chunkIndex)
            let strength = best[document]!.sum / Float(max(1, min(Self.bestChunkCount, chunkCount(document))))
            return SearchHit(chunkIndex: hit.chunkIndex, score: hit.score + weight * strength)
        }.sorted(by: TopK.isBetter)
    }
}
