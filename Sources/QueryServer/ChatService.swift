import Answering
import Retrieval
import Logging
import Prometheus
import Synchronization

/// Answers a chat question: retrieves passages, refuses when none is relevant, asks the language
/// model when one is configured (handing its text on as it streams), checks its citations, and
/// falls back to the extractive answer when the model fails, is late, or cites nothing it was sent.
struct ChatService: Sendable {
    let search: SearchService
    let client: ChatCompletionClient?
    let promptTokenBudget: Int
    let metrics: ServerMetrics
    let logger: Logger

    /// A question with its passages: what a stream's first event shows.
    struct Prepared: Sendable {
        var request: ChatRequest
        var passages: [Passage]
        var retrieval: Duration
        var started: ContinuousClock.Instant

        var retrieved: [ChatResponse.Retrieved] {
            passages.map {
                .init(n: $0.number, chunkId: $0.chunkId, document: $0.document, title: $0.title,
                      headingPath: $0.headingPath, score: $0.denseScore, url: $0.url)
            }
        }
    }

    static let refusalText = "The policies I can search do not answer this question. The closest sections are listed below; for anything else, ask HR or the policy's owner."

    /// Retrieval, through the search path's limits (memory guard, embedding slots): sheds with 503.
    func prepare(_ request: ChatRequest) async throws -> Prepared {
        let started = ContinuousClock.now
        let (passages, _) = try await ChatPassages.retrieve(request.question, k: request.k, using: search)
        return Prepared(request: request, passages: passages, retrieval: ContinuousClock.now - started, started: started)
    }

    /// The answer. Never throws: every failure of the model becomes the extractive answer, with
    /// `fallback` saying why. `onText` (streaming) receives the model's text as it arrives.
    func answer(_ prepared: Prepared, onText: (@Sendable (String) -> Void)? = nil) async -> ChatResponse {
        var timings = ChatResponse.Timings(retrieval: Milliseconds.of(prepared.retrieval))
        let refuses = RefusalRule.calibrated.refuses(bestDenseScore: prepared.passages.map(\.denseScore).max() ?? 0,
                                                     bestLexicalScore: prepared.passages.map(\.lexicalScore).max() ?? 0)
        guard !refuses else {
            return finish(ChatResponse(answer: Self.refusalText, citations: [], mode: .refused, retrieval: prepared.retrieved,
                                       timingsMs: timings, model: nil, fallback: nil), prepared, llm: .zero)
        }
        guard let client else {
            return extractive(prepared, timings: timings, fallback: nil, llm: .zero)
        }
        let promptStart = ContinuousClock.now
        let prompt = PromptBuilder(tokenBudget: promptTokenBudget)
            .build(question: prepared.request.question, passages: prepared.passages, history: prepared.request.history)
        timings.prompt = Milliseconds.since(promptStart)

        let llmStart = ContinuousClock.now
        let firstText = Mutex<ContinuousClock.Instant?>(nil)
        let completion: ChatCompletionClient.Completion
        do {
            completion = try await client.complete(prompt.messages, stream: onText != nil) { text in
                firstText.withLock { if $0 == nil { $0 = .now } }
                onText?(text)
            }
        } catch {
            let llm = ContinuousClock.now - llmStart
            timings.llm = Milliseconds.of(llm)
            logger.warning("language model failed; answering extractively", metadata: ["error": "\(error)", "code": "\(error.code)"])
            return extractive(prepared, timings: timings, fallback: .init(code: error.code, message: error.description), llm: llm)
        }
        let llm = ContinuousClock.now - llmStart
        timings.llm = Milliseconds.of(llm)
        timings.firstToken = firstText.withLock { $0 }.map { Milliseconds.of($0 - llmStart) }

        let checkStart = ContinuousClock.now
        let checked = CitationChecker.check(completion.text, validNumbers: Set(prompt.passages.map(\.number)))
        guard !checked.citedNumbers.isEmpty else {
            if Self.saysPassagesDoNotAnswer(checked.answer) {
                timings.answer = Milliseconds.since(checkStart)
                return finish(ChatResponse(answer: Self.refusalText, citations: [], mode: .refused, retrieval: prepared.retrieved,
                                           timingsMs: timings, model: completion.model ?? client.settings.model, fallback: nil),
                              prepared, llm: llm)
            }
            let fallback = ChatResponse.Fallback(
                code: "llm_no_citations",
                message: "the language model's answer cited none of the passages it was given (\(checked.removedCount) citations removed); answered from the passages instead")
            return extractive(prepared, timings: timings, fallback: fallback, llm: llm)
        }
        let byNumber = Dictionary(uniqueKeysWithValues: prompt.passages.map { ($0.number, $0) })
        let citations = checked.citedNumbers.compactMap { number -> ChatResponse.Citation? in
            guard let passage = byNumber[number] else { return nil }
            return Self.citation(passage, quote: ExtractiveAnswerer.bestSentence(in: passage, supporting: checked.answer))
        }
        timings.answer = Milliseconds.since(checkStart)
        return finish(ChatResponse(answer: checked.answer, citations: citations, mode: .llm, retrieval: prepared.retrieved,
                                   timingsMs: timings, model: completion.model ?? client.settings.model, fallback: nil),
                      prepared, llm: llm)
    }

    private func extractive(_ prepared: Prepared, timings: ChatResponse.Timings, fallback: ChatResponse.Fallback?,
                            llm: Duration) -> ChatResponse {
        var timings = timings
        let start = ContinuousClock.now
        let extracted = ExtractiveAnswerer.answer(question: prepared.request.question, passages: prepared.passages)
        let byNumber = Dictionary(uniqueKeysWithValues: prepared.passages.map { ($0.number, $0) })
        let citations = extracted.citedNumbers.compactMap { number in
            byNumber[number].map { Self.citation($0, quote: extracted.quotes[number] ?? "") }
        }
        timings.answer = Milliseconds.since(start)
        return finish(ChatResponse(answer: extracted.text, citations: citations, mode: .extractive, retrieval: prepared.retrieved,
                                   timingsMs: timings, model: nil, fallback: fallback), prepared, llm: llm)
    }

    /// Totals, the overhead (everything but the model), and the per-mode count.
    private func finish(_ response: ChatResponse, _ prepared: Prepared, llm: Duration) -> ChatResponse {
        var response = response
        let total = ContinuousClock.now - prepared.started
        response.timingsMs.total = Milliseconds.of(total)
        response.timingsMs.overhead = Milliseconds.of(total - llm)
        metrics.registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "policyd", metricName: "chat_answers", unitName: "total",
                                             helpText: "Chat answers by mode (llm, extractive, refused)."),
            labels: [("mode", response.mode.rawValue)]).increment()
        return response
    }

    private static func citation(_ passage: Passage, quote: String) -> ChatResponse.Citation {
        .init(n: passage.number, chunkId: passage.chunkId, document: passage.document, title: passage.title,
              headingPath: passage.headingPath, quote: quote, url: passage.url)
    }

    /// The rules' refusal sentence ("The policies do not say."), or close to it.
    static func saysPassagesDoNotAnswer(_ answer: String) -> Bool {
        let text = answer.lowercased()
        return ["policies do not say", "policies don't say", "passages do not answer", "passages don't answer"]
            .contains { text.contains($0) } && text.count < 200
    }
}
