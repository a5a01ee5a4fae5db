/// How hybrid search combines the dense and the lexical ranking.
public enum RankFusion: Equatable, Sendable {
    /// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): Σ 1 / (k + rank) over
    /// the lists a chunk appears in; k = 60 in the paper. Needs no calibration of either score.
    case reciprocalRank(k: Int)
    /// `denseWeight · cosine' + (1 − denseWeight) · bm25'`, each score min-max scaled to 0...1 over
    /// the candidates (a chunk missing from a list scores 0 there).
    case weighted(denseWeight: Float)

    /// The default: weighted, dense 0.7. On the handbook's gold questions it ranks the gold section
    /// in the first 5 more often than RRF, dense or BM25 alone (docs/EVALUATION.md has the figures).
    public static let standard = RankFusion.weighted(denseWeight: 0.7)
    /// Reciprocal rank fusion with the paper's k.
    public static let reciprocalRankFusion = RankFusion.reciprocalRank(k: 60)

    /// Fused scores for `candidates`, best first; ties go to the lower chunk index.
    /// `dense` and `lexical` are the two rankings, best first.
    func fuse(dense: [SearchHit], lexical: [SearchHit]) -> [SearchHit] {
        var fused: [Int: Float] = [:]
        fused.reserveCapacity(dense.count + lexical.count)
        switch self {
        case .reciprocalRank(let k):
            for list in [dense, lexical] {
                for (position, hit) in list.enumerated() { fused[hit.chunkIndex, default: 0] += 1 / Float(k + position + 1) }
            }
        case .weighted(let weight):
            for (list, listWeight) in [(dense, weight), (lexical, 1 - weight)] {
                let scores = list.map(\.score)
                guard let low = scores.min(), let high = scores.max() else { continue }
                let span = high - low
                for hit in list {
                    let scaled = span > 0 ? (hit.score - low) / span : 1
                    fused[hit.chunkIndex, default: 0] += listWeight * scaled
                }
            }
        }
        return fused.map { SearchHit(chunkIndex: $0.key, score: $0.value) }.sorted(by: TopK.isBetter)
    }
}
