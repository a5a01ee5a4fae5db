/// When retrieval found nothing that answers a question: refuse only when neither signal found a
/// good match, the meaning (the best dense cosine of the passages) nor the words (the best BM25
/// score). Either alone separates poorly on the gold set: the unanswerable questions' best cosines
/// (0.30–0.47) overlap the answerable ones', and a question can match by words without meaning
/// or the other way round.
///
/// Calibrated by `tools/calibrate-refusal` on Tests/Eval (166 answerable, 12 unanswerable
/// questions; hybrid search with the document prior, 5 passages) over artifacts/policies.pidx with
/// all-MiniLM-L6-v2: refuses 10 of 12 unanswerable questions (83 %) and 8 of 166 answerable ones
/// (4.8 %); the dense score alone, at the floor that still answers 95 %, refuses only 5 of 12.
/// Pairs with the dense floor in 0.474–0.538 and the BM25 floor in 8.3–8.8 meet both targets;
/// these are the script's proposal, from the middle of that region (the rule before the document
/// prior, 0.498 and 8.8, sat on its edge). Twelve unanswerable questions are a small sample: re-run
/// the script when the corpus, the model, the search tokenizer or the ranking changes (BM25 scores
/// depend on the corpus's statistics).
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
    public static let calibrated = RefusalRule(minimumDenseScore: 0.506, minimumLexicalScore: 8.5)

    /// Whether passages whose best scores are these answer nothing.
    public func refuses(bestDenseScore: Float, bestLexicalScore: Float) -> Bool {
        bestDenseScore < minimumDenseScore && bestLexicalScore < minimumLexicalScore
    }
}
