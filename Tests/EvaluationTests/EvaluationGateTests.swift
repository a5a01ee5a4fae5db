import Evaluation
import Foundation
import Retrieval
import Testing
import TestSupport

/// The metrics on hand-made rankings, and the CI gate on real reports.
@Suite struct EvaluationGateTests {
    @Test func metricsFollowTheirDefinitions() {
        let metrics = RankingMetrics(ranks: [1, 2, 5, nil])
        #expect(metrics.recallAt1 == 0.25 && metrics.recallAt3 == 0.5 && metrics.recallAt5 == 0.75 && metrics.recallAt10 == 0.75)
        #expect(abs(metrics.mrr - (1 + 0.5 + 0.2) / 4) < 1e-12)
        #expect(abs(metrics.ndcgAt10 - (1 + 1 / log2(3.0) + 1 / log2(6.0)) / 4) < 1e-12)
    }

    /// The committed baseline, read as CI reads it.
    static func baseline() throws -> EvaluationReport {
        let url = packageRoot().appendingPathComponent("Tests/Eval/baseline.json")
        return try EvaluationReport.decode(try Data(contentsOf: url))
    }

    static func withHybridRecallAt5(_ report: EvaluationReport, _ value: Double) -> EvaluationReport {
        var changed = report
        changed.modes["hybrid"]?.section.recallAt5 = value
        return changed
    }

    @Test func theGatePassesTheBaselineItself() throws {
        let baseline = try Self.baseline()
        #expect(BaselineGate.check(current: baseline, baseline: baseline) == nil)
    }

    @Test func theGateFailsAResultMoreThanTwoPointsWorse() throws {
        let baseline = try Self.baseline()
        let recall = try #require(baseline.modes["hybrid"]?.section.recallAt5)
        #expect(BaselineGate.check(current: Self.withHybridRecallAt5(baseline, recall - 0.019), baseline: baseline) == nil)
        let message = BaselineGate.check(current: Self.withHybridRecallAt5(baseline, recall - 0.03), baseline: baseline)
        #expect(message?.contains("fell from") == true)
    }

    /// The real command on the committed artifact and a few real questions, against a baseline
    /// no result can meet: it must exit 1 and say why; against a lenient one it exits 0.
    /// Needs the model (tools/fetch-model) and policyc built (swift build).
    @Test func policycEvalExitsOneBelowTheBaseline() throws {
        let root = packageRoot()
        let baseline = try Self.baseline()
        let folder = try TemporaryDirectory()
        let questions = folder.path("some.jsonl")
        let lines = try String(contentsOf: root.appendingPathComponent("Tests/Eval/questions-hr-core.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(5).joined(separator: "\n")
        try Data(lines.utf8).write(to: URL(fileURLWithPath: questions))
        func eval(baselineRecall: Double) throws -> ProcessResult {
            let path = folder.path("baseline-\(baselineRecall).json")
            try Data(Self.withHybridRecallAt5(baseline, baselineRecall).json().utf8).write(to: URL(fileURLWithPath: path))
            return try ProcessRunner.run("policyc", ["eval", "--artifact", root.appendingPathComponent("artifacts/policies.pidx").path,
                                                     "--questions", questions, "--baseline", path,
                                                     "--model", root.appendingPathComponent("models/all-MiniLM-L6-v2").path, "--json"])
        }
        let failing = try eval(baselineRecall: 1.5)
        #expect(failing.status == 1, "\(failing.standardError)")
        #expect(failing.standardError.contains("hybrid recall@5 (section level) fell from 1.5"), "\(failing.standardError)")
        let passing = try eval(baselineRecall: 0)
        #expect(passing.status == 0, "\(passing.standardError)")
        #expect(passing.standardOutput.contains("\"recall_at5\""))
    }
}
