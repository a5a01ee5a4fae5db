import ArgumentParser
import Embeddings
import Evaluation
import IndexFormat
import Retrieval
import Foundation

/// `policyc eval`: runs gold questions through every search mode and reports how well each ranks.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate dense, lexical and hybrid search on gold questions.",
        discussion: """
            Reports recall@1/3/5/10, MRR and nDCG@10 at document and section level, the refusal rate of \
            unanswerable questions at --refusal-threshold, search latency, the threshold that would refuse \
            ≥ 80 % of unanswerable questions while answering ≥ 95 % of answerable ones, and the worst-ranked \
            questions (docs/EVALUATION.md). With --baseline, fails when hybrid recall@5 (section level) is \
            more than 0.02 below the baseline's.

            Exit codes:
              0   evaluated (and within the baseline)
              1   the artifact, the questions, the model or the baseline could not be
                  used, or the result fell below the baseline (the message says which)
              64  invalid command-line usage
            """
    )

    @Option(help: ArgumentHelp("The artifact to search.", valueName: "file"))
    var artifact = "artifacts/policies.pidx"
    @Option(help: ArgumentHelp("A .jsonl file of gold questions, or a folder of them.", valueName: "path"))
    var questions = "Tests/Eval"
    @Option(help: ArgumentHelp("The sentence-transformers model folder (default: $POLICYQA_MODEL_DIR, else models/all-MiniLM-L6-v2).", valueName: "dir"))
    var model: String?
    @Option(name: .customLong("refusal-threshold"),
            help: ArgumentHelp("Refuse when the best dense cosine of the first 5 passages is below this (and BM25 below --refusal-lexical; default: policyd's rule).", valueName: "cosine"))
    var refusalThreshold: Float = RefusalRule.calibrated.minimumDenseScore
    @Option(name: .customLong("refusal-lexical"),
            help: ArgumentHelp("... and the best BM25 score of those passages is below this (default: policyd's rule).", valueName: "score"))
    var refusalLexical: Float = RefusalRule.calibrated.minimumLexicalScore
    @Option(help: ArgumentHelp("Fusion: weighted:W (W = dense weight, 0...1; default weighted:0.7, as policyd) or rrf (reciprocal rank, k = 60).", valueName: "fusion"))
    var fusion = "weighted:0.7"
    @Option(name: .customLong("document-prior"),
            help: ArgumentHelp("Weight of a chunk's document in hybrid ranking, after fusion and after re-ranking (0 = none; default 0.5, as policyd).", valueName: "weight"))
    var documentPrior: Float = DocumentPrior.standard.weight
    @Option(name: .customLong("rerank-depth"),
            help: ArgumentHelp("How many of hybrid search's first chunks late interaction re-ranks (0 = none; default 20, as policyd).", valueName: "chunks"))
    var rerankDepth = LateInteraction.standard.depth
    @Option(help: ArgumentHelp("Fail when hybrid recall@5 falls more than 0.02 below this report's.", valueName: "baseline.json"))
    var baseline: String?
    @Option(name: .customLong("run"), help: ArgumentHelp("Also write each mode's document ranking (TREC run format, 100 deep) here.", valueName: "file"))
    var runFile: String?
    @Flag(help: "Print the report as JSON instead of a table.")
    var json = false

    func run() throws {
        let reader: ArtifactReader
        do { reader = try ArtifactReader(path: artifact) } catch { throw Failure("policyc eval: \(artifact): \(error)") }
        let golden: [GoldQuestion]
        do { golden = try GoldQuestion.load(questions) } catch { throw Failure("policyc eval: \(error)") }
        let embedder: SentenceEmbedder
        do {
            let folder = model ?? ProcessInfo.processInfo.environment["POLICYQA_MODEL_DIR"] ?? "models/all-MiniLM-L6-v2"
            // Questions are embedded as the daemon embeds them (bfloat16, or Float16 without AVX512_BF16).
            embedder = try SentenceEmbedder(folder: folder, precision: .bfloat16)
        } catch {
            throw Failure("policyc eval: \(error)")
        }
        let fusionChoice = try parseFusion()
        guard documentPrior.isFinite, documentPrior >= 0 else { throw ValidationError("--document-prior must be a number ≥ 0 (0 turns it off), not \(documentPrior)") }
        guard rerankDepth >= 0 else { throw ValidationError("--rerank-depth must be 0 (no re-ranking) or more, not \(rerankDepth)") }
        let evaluation: EvaluationRun
        do {
            evaluation = try EvaluationRun(reader: reader, fusion: fusionChoice, documentPrior: DocumentPrior(weight: documentPrior),
                                           lateInteraction: LateInteraction(depth: rerankDepth))
        } catch {
            throw Failure("policyc eval: \(artifact): \(error)")
        }

        let clock = ContinuousClock()
        var vectors: [[Float]] = []
        var tokens: [TokenSignatures] = []
        var embedTimes: [Double] = []
        for question in golden {
            let started = clock.now
            let encoding = embedder.encode(question.question)
            let elapsed = clock.now - started
            embedTimes.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            vectors.append(encoding.vector)
            tokens.append(encoding.tokens)
        }
        var results: [SearchMode: [EvaluationRun.QuestionResult]] = [:]
        for mode in SearchMode.allCases {
            do { results[mode] = try evaluation.run(golden, vectors: vectors, tokens: tokens, mode: mode) } catch { throw Failure("policyc eval: \(error)") }
        }
        var report = EvaluationReport(questions: golden, results: results, rule: RefusalRule(minimumDenseScore: refusalThreshold, minimumLexicalScore: refusalLexical),
                                      embedMilliseconds: embedTimes, artifactDigest: reader.digest)
        report.recordPlainDense(evaluation.plainDenseMilliseconds(vectors))
        print(json ? report.json() : report.table())
        if let runFile { try writeRun(runFile, evaluation: evaluation, questions: golden, vectors: vectors, tokens: tokens) }
        if let baseline {
            guard let data = FileManager.default.contents(atPath: baseline) else { throw Failure("policyc eval: cannot read baseline \(baseline); pass the file written by policyc eval --json") }
            let before: EvaluationReport
            do { before = try EvaluationReport.decode(data) } catch { throw Failure("policyc eval: \(EvaluationError.badBaseline(path: baseline, reason: "\(error)"))") }
            if let failure = BaselineGate.check(current: report, baseline: before) { throw Failure("policyc eval: \(failure)") }
            FileHandle.standardError.write(Data("policyc eval: hybrid recall@5 is within 0.02 of \(baseline)\n".utf8))
        }
    }

    private func parseFusion() throws -> RankFusion {
        if fusion == "rrf" { return .reciprocalRankFusion }
        if fusion.hasPrefix("weighted:"), let weight = Float(fusion.dropFirst("weighted:".count)), (0...1).contains(weight) {
            return .weighted(denseWeight: weight)
        }
        throw ValidationError("--fusion must be rrf or weighted:W with W in 0...1, not \(fusion)")
    }

    /// TREC run lines, `question Q0 document rank score mode`, 100 documents per question and mode.
    private func writeRun(_ path: String, evaluation: EvaluationRun, questions: [GoldQuestion], vectors: [[Float]],
                          tokens: [TokenSignatures]) throws {
        var lines: [String] = []
        for mode in SearchMode.allCases {
            for (index, (question, vector)) in zip(questions, vectors).enumerated() {
                let ranked: [(path: String, score: Float)]
                do { ranked = try evaluation.rankedDocuments(question, vector: vector, tokens: tokens[index], mode: mode, depth: 100) } catch { throw Failure("policyc eval: \(error)") }
                for (position, item) in ranked.enumerated() {
                    lines.append("\(question.id) Q0 \(item.path) \(position + 1) \(item.score) \(mode.rawValue)")
                }
            }
        }
        guard FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
            throw Failure("policyc eval: cannot write \(path); check the folder exists and is writable")
        }
    }
}

/// A failure ArgumentParser prints as is, exiting with code 1.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
