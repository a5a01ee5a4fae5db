/// The CI gate: hybrid recall@5 at section level must not fall more than `tolerance` below the
/// committed baseline (`Tests/Eval/baseline.json`).
public enum BaselineGate {
    public static let tolerance = 0.02

    /// Nil when `current` passes; otherwise the message CI prints.
    public static func check(current: EvaluationReport, baseline: EvaluationReport, tolerance: Double = tolerance) -> String? {
        let mode = "hybrid"
        guard let now = current.modes[mode]?.section.recallAt5 else { return "the evaluation has no hybrid results; was the artifact built without a lexicon?" }
        guard let before = baseline.modes[mode]?.section.recallAt5 else { return "the baseline has no hybrid results; regenerate it with policyc eval --json" }
        guard now >= before - tolerance - 1e-9 else {
            return "hybrid recall@5 (section level) fell from \(before) to \(now), more than \(tolerance) below the baseline; find the change that caused it, or, if it is intended, update Tests/Eval/baseline.json with policyc eval --json"
        }
        return nil
    }
}
