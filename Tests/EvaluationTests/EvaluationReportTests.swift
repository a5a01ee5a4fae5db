import Evaluation
import Foundation
import Retrieval
import Testing
import TestSupport

/// The report's refusal study and the question loader, on small inputs with known answers.
@Suite struct EvaluationReportTests {
    static func questions(answerable: Int, unanswerable: Int) throws -> [GoldQuestion] {
        let lines = (0..<answerable).map { #"{"id": "a\#($0)", "question": "q", "answerable": true, "document": "d.md", "heading_path": "D"}"# }
            + (0..<unanswerable).map { #"{"id": "u\#($0)", "question": "q", "answerable": false}"# }
        return try lines.map { try JSONDecoder().decode(GoldQuestion.self, from: Data($0.utf8)) }
    }

    static func rows(_ scores: [Float], lexical: [Float]? = nil) -> [EvaluationRun.QuestionResult] {
        scores.enumerated().map {
            .init(id: "\($0.offset)", documentRank: 1, sectionRank: 1, topDenseScore: $0.element,
                  topLexicalScore: lexical?[$0.offset] ?? 0, searchMilliseconds: 0.1, firstResult: "d.md")
        }
    }

    /// A dense floor with a BM25 floor no row reaches: the rule decides by the dense score alone.
    static func denseOnly(_ floor: Float) -> RefusalRule { RefusalRule(minimumDenseScore: floor, minimumLexicalScore: 1) }

    @Test func aSeparableSetGetsAThresholdBetweenTheGroups() throws {
        // 20 answerable questions score 0.6...0.79, 5 unanswerable 0.1...0.5: 0.5 < t ≤ 0.6 works.
        let questions = try Self.questions(answerable: 20, unanswerable: 5)
        let scores = (0..<20).map { 0.6 + Float($0) / 100 } + [0.1, 0.2, 0.3, 0.4, 0.5]
        let report = EvaluationReport(questions: questions, results: [.hybrid: Self.rows(scores)], rule: Self.denseOnly(0.55),
                                      embedMilliseconds: [1], artifactDigest: "x")
        let threshold = try #require(report.suggestedRefusalThreshold)
        #expect(threshold > 0.3 && threshold <= 0.6)
        let refusal = try #require(report.modes["hybrid"]?.refusal)
        #expect(refusal.unanswerableRefusedRate == 1 && refusal.answerableRefusedRate == 0)
    }

    @Test func anInseparableSetGetsNoneAndTheCostOfRefusingEnough() throws {
        // Unanswerable questions score as high as answerable ones: refusing 80 % of them refuses answerable ones too.
        let questions = try Self.questions(answerable: 10, unanswerable: 5)
        let scores: [Float] = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.72, 0.62, 0.52, 0.42, 0.2]
        let report = EvaluationReport(questions: questions, results: [.hybrid: Self.rows(scores)], rule: Self.denseOnly(0.5),
                                      embedMilliseconds: [1], artifactDigest: "x")
        #expect(report.suggestedRefusalThreshold == nil)
        let threshold = try #require(report.unanswerableTargetThreshold)
        #expect(threshold > 0.62 && threshold <= 0.65)  // midway between 0.62 and the next score, 0.65
        #expect(report.unanswerableTargetAnswerableRefusedRate == 0.7)  // the 7 answerable ones below 0.635
        #expect(report.table().contains("no dense floor"))
    }

    @Test func aStrongWordMatchKeepsAWeakMeaningMatchAnswered() throws {
        // Answerable questions 0 and 1 match weakly in meaning (0.3) but strongly in words (BM25 12);
        // the unanswerable ones match weakly in both. Refused: only those weak in both.
        let questions = try Self.questions(answerable: 4, unanswerable: 2)
        let rows = Self.rows([0.3, 0.3, 0.7, 0.8, 0.3, 0.35], lexical: [12, 12, 2, 0, 3, 9])
        let rule = RefusalRule(minimumDenseScore: 0.5, minimumLexicalScore: 8.7)
        let report = EvaluationReport(questions: questions, results: [.hybrid: rows], rule: rule, embedMilliseconds: [1], artifactDigest: "x")
        let refusal = try #require(report.modes["hybrid"]?.refusal)
        #expect(refusal.answerableRefusedRate == 0)
        #expect(refusal.unanswerableRefusedRate == 0.5)   // question 5's BM25 of 9 counts as a word match
        #expect(rule.refuses(bestDenseScore: 0.49, bestLexicalScore: 8.69))
        #expect(!rule.refuses(bestDenseScore: 0.5, bestLexicalScore: 0))
        #expect(!rule.refuses(bestDenseScore: 0, bestLexicalScore: 8.7))
    }

    @Test func aBadQuestionLineIsNamedByFileAndLine() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("q.jsonl")
        try Data((#"{"id": "1", "question": "ok"}"# + "\n" + #"{"id": 2}"# + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { try GoldQuestion.load(path) }
        do {
            _ = try GoldQuestion.load(path)
        } catch {
            #expect(error.description.contains("q.jsonl:2"), "\(error)")
        }
        #expect(throws: EvaluationError.self) { try GoldQuestion.load(folder.path("missing.jsonl")) }
    }

    @Test func theGoldFilesLoadWholly() throws {
        let questions = try GoldQuestion.load(packageRoot().appendingPathComponent("Tests/Eval").path)
        #expect(questions.filter(\.answerable).count == 166)
        #expect(questions.filter { !$0.answerable }.count == 12)
    }
}
