import Foundation  // build-time tooling: full Foundation (String(format:), log2) is fine here
import Retrieval

/// What `policyc eval` prints: per mode, ranking metrics at document and section level, refusal
/// of unanswerable questions under a refusal rule, search latency, and the worst questions.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public struct Latency: Codable, Equatable, Sendable {
        public var meanMilliseconds: Double
        public var p50Milliseconds: Double
        public var p95Milliseconds: Double
    }

    public struct Refusal: Codable, Equatable, Sendable {
        public var rule: RefusalRule
        /// Unanswerable questions the rule refuses.
        public var unanswerableRefusedRate: Double
        /// Answerable questions refused all the same (should stay small).
        public var answerableRefusedRate: Double
    }

    public struct Worst: Codable, Equatable, Sendable {
        public var id: String
        public var question: String
        public var sectionRank: Int?
        public var gold: String
        public var firstResult: String
    }

    public struct ModeReport: Codable, Equatable, Sendable {
        public var document: RankingMetrics
        public var section: RankingMetrics
        public var refusal: Refusal
        public var latency: Latency
        public var worst: [Worst]
    }

    public var artifactDigest: String
    public var questionCount: Int
    public var answerableCount: Int
    public var unanswerableCount: Int
    public var embedMeanMilliseconds: Double
    public var modes: [String: ModeReport]
    /// The pre-hybrid search (plain dense top-k), timed in the same run: hybrid's cost is the ratio.
    public var plainDenseLatency: Latency?
    /// The dense floor that, with the rule's lexical floor, refuses ≥ 80 % of unanswerable
    /// questions while answering ≥ 95 % of answerable ones (hybrid mode), or nil when none does.
    public var suggestedRefusalThreshold: Float?
    /// When no dense floor meets both targets: the lowest that refuses ≥ 80 % of unanswerable
    /// questions (hybrid), and the share of answerable questions it refuses too.
    public var unanswerableTargetThreshold: Float?
    public var unanswerableTargetAnswerableRefusedRate: Double?

    public static let requiredUnanswerableRefusal = 0.80
    public static let requiredAnswerableAnswered = 0.95

    /// Builds the report from each mode's per-question results.
    public init(questions: [GoldQuestion], results: [SearchMode: [EvaluationRun.QuestionResult]], rule: RefusalRule,
                embedMilliseconds: [Double], artifactDigest: String, worstCount: Int = 5) {
        self.artifactDigest = artifactDigest
        questionCount = questions.count
        let scored = questions.indices.filter { questions[$0].answerable && questions[$0].document != nil }
        let unanswerable = questions.indices.filter { !questions[$0].answerable }
        let answerable = questions.indices.filter { questions[$0].answerable }
        answerableCount = scored.count
        unanswerableCount = unanswerable.count
        embedMeanMilliseconds = embedMilliseconds.isEmpty ? 0 : embedMilliseconds.reduce(0, +) / Double(embedMilliseconds.count)
        var modes: [String: ModeReport] = [:]
        for (mode, rows) in results {
            let worst = scored.sorted { (rows[$0].sectionRank ?? .max, $0) > (rows[$1].sectionRank ?? .max, $1) }.prefix(worstCount)
                .filter { (rows[$0].sectionRank ?? .max) > 1 }
                .map { Worst(id: questions[$0].id, question: questions[$0].question, sectionRank: rows[$0].sectionRank,
                             gold: (questions[$0].document ?? "") + " § " + (questions[$0].headingPath ?? ""), firstResult: rows[$0].firstResult) }
            let times = rows.map(\.searchMilliseconds).sorted()
            modes[mode.rawValue] = ModeReport(
                document: RankingMetrics(ranks: scored.map { rows[$0].documentRank }),
                section: RankingMetrics(ranks: scored.map { rows[$0].sectionRank }),
                refusal: Self.refusal(rule: rule, rows: rows, answerable: answerable, unanswerable: unanswerable),
                latency: Latency(meanMilliseconds: times.reduce(0, +) / Double(max(1, times.count)),
                                 p50Milliseconds: Self.percentile(times, 0.5), p95Milliseconds: Self.percentile(times, 0.95)),
                worst: Array(worst))
        }
        self.modes = modes
        let hybrid = results[.hybrid] ?? results.values.first ?? []
        suggestedRefusalThreshold = Self.suggestThreshold(rule: rule, rows: hybrid, answerable: answerable, unanswerable: unanswerable)
        if suggestedRefusalThreshold == nil, !unanswerable.isEmpty {
            if let threshold = Self.candidateFloors(hybrid).first(where: {
                Self.refusal(rule: rule.withDenseFloor($0), rows: hybrid, answerable: answerable, unanswerable: unanswerable).unanswerableRefusedRate >= Self.requiredUnanswerableRefusal
            }) {
                unanswerableTargetThreshold = threshold
                unanswerableTargetAnswerableRefusedRate = Self.refusal(rule: rule.withDenseFloor(threshold), rows: hybrid, answerable: answerable,
                                                                       unanswerable: unanswerable).answerableRefusedRate
            }
        }
    }

    static func refusal(rule: RefusalRule, rows: [EvaluationRun.QuestionResult], answerable: [Int], unanswerable: [Int]) -> Refusal {
        func rate(_ indices: [Int]) -> Double {
            let refused = indices.filter { rule.refuses(bestDenseScore: rows[$0].topDenseScore, bestLexicalScore: rows[$0].topLexicalScore) }
            return indices.isEmpty ? 0 : Double(refused.count) / Double(indices.count)
        }
        return Refusal(rule: rule, unanswerableRefusedRate: rate(unanswerable), answerableRefusedRate: rate(answerable))
    }

    /// Among dense floors halfway between observed best cosines (with `rule`'s lexical floor), the
    /// one that meets both targets with the widest margin on answerable questions (the lowest such).
    static func suggestThreshold(rule: RefusalRule, rows: [EvaluationRun.QuestionResult], answerable: [Int], unanswerable: [Int]) -> Float? {
        guard !rows.isEmpty, !unanswerable.isEmpty else { return nil }
        return candidateFloors(rows).first { threshold in
            let refusal = refusal(rule: rule.withDenseFloor(threshold), rows: rows, answerable: answerable, unanswerable: unanswerable)
            return refusal.unanswerableRefusedRate >= requiredUnanswerableRefusal && 1 - refusal.answerableRefusedRate >= requiredAnswerableAnswered
        }
    }

    /// Dense floors halfway between neighbouring observed best cosines, lowest first.
    static func candidateFloors(_ rows: [EvaluationRun.QuestionResult]) -> [Float] {
        let scores = Set(rows.map(\.topDenseScore)).sorted()
        return zip(scores, scores.dropFirst()).map { ($0 + $1) / 2 }
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }

    /// The report as JSON (sorted keys, snake_case), for CI and the baseline file.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    static func latency(_ times: [Double]) -> Latency {
        let sorted = times.sorted()
        return Latency(meanMilliseconds: sorted.reduce(0, +) / Double(max(1, sorted.count)),
                       p50Milliseconds: percentile(sorted, 0.5), p95Milliseconds: percentile(sorted, 0.95))
    }

    /// Records the plain dense search's times (see `plainDenseLatency`).
    public mutating func recordPlainDense(_ times: [Double]) { plainDenseLatency = Self.latency(times) }

    public static func decode(_ data: Data) throws -> EvaluationReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(EvaluationReport.self, from: data)
    }

    /// The terminal table.
    public func table() -> String {
        func f(_ value: Double) -> String { String(format: "%.3f", value) }
        var lines = ["\(answerableCount) answerable and \(unanswerableCount) unanswerable questions; question embedding \(String(format: "%.1f", embedMeanMilliseconds)) ms each",
                     "", "mode     level     R@1    R@3    R@5    R@10   MRR    nDCG@10  refused(unans/ans)  search ms (mean/p95)"]
        for mode in SearchMode.allCases {
            guard let report = modes[mode.rawValue] else { continue }
            for (level, metrics) in [("document", report.document), ("section", report.section)] {
                let isDocument = level == "document"
                let refused = f(report.refusal.unanswerableRefusedRate) + "/" + f(report.refusal.answerableRefusedRate)
                let refusal = isDocument ? refused : ""
                let latency = isDocument ? String(format: "%.2f/%.2f", report.latency.meanMilliseconds, report.latency.p95Milliseconds) : ""
                let values: [Double] = [metrics.recallAt1, metrics.recallAt3, metrics.recallAt5, metrics.recallAt10, metrics.mrr, metrics.ndcgAt10]
                var line = mode.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                line += level.padding(toLength: 9, withPad: " ", startingAt: 0)
                line += values.map(f).joined(separator: "  ")
                line += "    " + refusal.padding(toLength: 20, withPad: " ", startingAt: 0) + latency
                lines.append(line)
            }
        }
        if let plain = plainDenseLatency, let hybrid = modes[SearchMode.hybrid.rawValue]?.latency, plain.meanMilliseconds > 0 {
            lines.append(String(format: "search cost: hybrid %.3f ms mean (p50 %.3f), plain dense top-k %.3f ms (p50 %.3f): %.2fx (p50 %.2fx)",
                                hybrid.meanMilliseconds, hybrid.p50Milliseconds, plain.meanMilliseconds, plain.p50Milliseconds,
                                hybrid.meanMilliseconds / plain.meanMilliseconds, hybrid.p50Milliseconds / max(plain.p50Milliseconds, 1e-9)))
        }
        if let rule = modes.values.first?.refusal.rule {
            lines.append("refusal rule (best of the first \(EvaluationRun.refusalDepth) passages): dense cosine < \(String(format: "%.3f", rule.minimumDenseScore)) and BM25 < \(String(format: "%.2f", rule.minimumLexicalScore))")
        }
        lines.append(suggestedRefusalThreshold.map { "suggested dense floor with that BM25 floor (refuses ≥ 80 % unanswerable, answers ≥ 95 % answerable, hybrid): \(String(format: "%.3f", $0))" }
                     ?? "no dense floor (with that BM25 floor) refuses ≥ 80 % of unanswerable questions while answering ≥ 95 % of answerable ones")
        if let threshold = unanswerableTargetThreshold, let cost = unanswerableTargetAnswerableRefusedRate {
            lines.append("  the lowest that refuses ≥ 80 % of unanswerable ones is \(String(format: "%.3f", threshold)), which also refuses \(String(format: "%.1f", cost * 100)) % of answerable ones")
        }
        if let worst = modes[SearchMode.hybrid.rawValue]?.worst, !worst.isEmpty {
            lines.append("")
            lines.append("worst-ranked questions (hybrid, section level):")
            for item in worst {
                lines.append("  \(item.id) rank \(item.sectionRank.map(String.init) ?? "> \(EvaluationRun.depth)"): \(item.question)")
                lines.append("      gold  \(item.gold)")
                lines.append("      first \(item.firstResult)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension RefusalRule {
    /// The same rule with another dense floor (the threshold studies vary only that one).
    func withDenseFloor(_ floor: Float) -> RefusalRule {
        RefusalRule(minimumDenseScore: floor, minimumLexicalScore: minimumLexicalScore)
    }
}
