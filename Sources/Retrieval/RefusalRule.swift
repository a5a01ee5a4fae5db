/// When retrieval found nothing that answers a question: refuse only when neither signal found a
/// good match, the meaning (the best dense cosine of the passages) nor the words (the best BM25
/// score). Either alone separates poorly on the gold set: the unanswerable questions' best cosines
/// (0.30–0.47) overlap the answerable ones', and a question can match by words without meaning
/// or the other way round.
///
/// Calibrated by `tools/calibrate-refusal` on Tests/Eval (166 answerable, 12 unanswerable
/// questions; hybrid search, 5 passages) over artifacts/policies.pidx with all-MiniLM-L6-v2:
/// refuses 10 of 12 unanswerable questions (83 %) and 7 of 166 answerable ones (4.2 %); the dense
/// score alone, at the floor that still answers 95 %, refuses only 5 of 12. Pairs with the dense
/// floor in 0.474–0.520 and the BM25 floor in 8.5–9.0 meet both targets; these are the script's
/// proposal, from the middle of that region. Twelve unanswerable questions are a small sample: re-run the script when the corpus,
/// the model or the search tokenizer changes (BM25 scores depend on the corpus's statistics).
public struct RefusalRule: Sendable, Equatable, Codable {
    /// Cosine similarity the best passage must reach to count as a match in meaning.
    public var minimumDenseScore: Float
    /// BM25 score the best passage must reach to count as a match in words.
    public var minimumLexicalScore: Float

    public init(minimumDenseScore: Float, minimumLexicalScore: Float) {
        self.minimumDenseScore = minimumDenseScore
        self.minimumLexicalScore = minimumLexicalScore
    }

    /// The daemon's rule (see above for how it was chosen).
    public static let calibrated = RefusalRule(minimumDenseScore: 0.498, minimumLexicalScore: 8.8)

    /// Whether passages whose best scores are these answer nothing.
    public func refuses(bestDenseScore: Float, bestLexicalScore: Float) -> Bool {
        bestDenseScore < minimumDenseScore && bestLexicalScore < minimumLexicalScore
    }
}
