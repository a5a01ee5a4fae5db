/// Hybrid ranking's document evidence: each fused candidate gains `weight` times the strength of
/// its document, a third of the sum of the document's 3 best fused scores (a document with fewer
/// candidates counts the missing ones as 0). Passage retrieval gains from combining a passage's
/// score with its document's (Callan, SIGIR 1994): on the handbook, a question's answer sits in a
/// policy whose other sections also match, while a stray section of another policy matches alone.
/// `weight` 0.5 was chosen on half A of the gold questions only (docs/EVALUATION.md).
public struct DocumentPrior: Equatable, Sendable {
    public var weight: Float

    public init(weight: Float) {
        precondition(weight.isFinite && weight >= 0, "document prior weight \(weight)")
        self.weight = weight
    }

    /// What policyd and policyc eval use.
    public static let standard = DocumentPrior(weight: 0.5)
    /// No document evidence: the fused score alone.
    public static let none = DocumentPrior(weight: 0)

    /// `fused` re-scored, best first, ties to the lower chunk index; `documentOf` maps a chunk to
    /// its document.
    func apply(to fused: [SearchHit], documentOf: (Int) -> Int) -> [SearchHit] {
        guard weight > 0 else { return fused }
        var best: [Int: [Float]] = [:]  // per document, its 3 best fused scores (fused is best first)
        for hit in fused {
            let document = documentOf(hit.chunkIndex)
            if best[document, default: []].count < 3 { best[document, default: []].append(hit.score) }
        }
        return fused.map { hit in
            let strength = best[documentOf(hit.chunkIndex)]!.reduce(0, +) / 3
            return SearchHit(chunkIndex: hit.chunkIndex, score: hit.score + weight * strength)
        }.sorted(by: TopK.isBetter)
    }
}
