/// Ranking metrics for questions with one relevant target (a document, or a section): each
/// question contributes the 1-based rank of the first relevant result, or nil when none of the
/// results retrieved is relevant.
public struct RankingMetrics: Codable, Equatable, Sendable {
    public var questionCount: Int
    public var recallAt1: Double
    public var recallAt3: Double
    public var recallAt5: Double
    public var recallAt10: Double
    /// Mean reciprocal rank (0 for a question whose target is not retrieved).
    public var mrr: Double
    /// nDCG@10 with one relevant target: 1 / log2(rank + 1) when rank ≤ 10, else 0 (the ideal DCG is 1).
    public var ndcgAt10: Double

    public init(ranks: [Int?]) {
        questionCount = ranks.count
        let count = Double(max(1, ranks.count))
        func recall(_ k: Int) -> Double { Double(ranks.filter { ($0 ?? .max) <= k }.count) / count }
        recallAt1 = recall(1)
        recallAt3 = recall(3)
        recallAt5 = recall(5)
        recallAt10 = recall(10)
        mrr = ranks.reduce(0) { $0 + ($1.map { 1 / Double($0) } ?? 0) } / count
        ndcgAt10 = ranks.reduce(0) { sum, rank in
            guard let rank, rank <= 10 else { return sum }
            return sum + 1 / (log2(Double(rank + 1)))
        } / count
    }
}

import Foundation  // build-time tooling: full Foundation (String(format:), log2) is fine here
