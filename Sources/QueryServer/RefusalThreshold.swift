/// When `/v1/chat` refuses without asking a model: the best dense cosine similarity among the
/// retrieved passages is below this (hybrid retrieval keeps each passage's dense score, so the
/// rule survives a change of retriever).
///
/// Calibrated by `tools/calibrate-refusal` on Tests/Eval/questions-*.jsonl (166 answerable, 12
/// unanswerable) over artifacts/policies.pidx with all-MiniLM-L6-v2: the highest threshold that
/// still answers at least 95 % of the answerable questions. At 0.3907 it answers 95.2 % (158/166)
/// and refuses 41.7 % (5/12) of the unanswerable ones; the 80 % refusal target is not reachable
/// with this score alone (the unanswerable questions' best scores, 0.295–0.474, overlap the
/// answerable ones', whose 5th percentile is 0.392). Re-run the script when the corpus or the
/// model changes.
enum RefusalThreshold {
    static let minimumBestDenseScore: Float = 0.3907
}
