import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
@testable import QueryServer

/// `/v1/chat` against a model on 127.0.0.1 that misbehaves in every way the issue lists. Each
/// ends with the model's answer or the extractive fallback within its deadline, never a hang or
/// an error page, and the API key appears in no response.
@Suite struct ChatFallbackTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var behaviour: FakeLanguageModelServer.Behaviour
        var stream: Bool
        /// The mode expected, and the fallback code when extractive.
        var mode: String
        var fallbackCode: String?
        var testDescription: String { "\(behaviour) stream=\(stream)" }
    }

    static let cases: [Case] = [
        .init(behaviour: .drip(pieces: ["Up to ", "20 working days ", "a year ", "[1]."], intervalMilliseconds: 300), stream: true, mode: "llm"),
        .init(behaviour: .drip(pieces: Array(repeating: "word ", count: 60), intervalMilliseconds: 100), stream: true,
              mode: "extractive", fallbackCode: "llm_timeout"),
        .init(behaviour: .rateLimitedOnce(retryAfterSeconds: 1, text: ChatFixtures.reply), stream: true, mode: "llm"),
        .init(behaviour: .rateLimitedOnce(retryAfterSeconds: 1, text: ChatFixtures.reply), stream: false, mode: "llm"),
        .init(behaviour: .serverError, stream: false, mode: "extractive", fallbackCode: "llm_http_status"),
        .init(behaviour: .serverError, stream: true, mode: "extractive", fallbackCode: "llm_http_status"),
        .init(behaviour: .malformedJSON, stream: false, mode: "extractive", fallbackCode: "llm_malformed_response"),
        .init(behaviour: .malformedJSON, stream: true, mode: "extractive", fallbackCode: "llm_malformed_response"),
        .init(behaviour: .brokenEventStream, stream: true, mode: "extractive", fallbackCode: "llm_stream_ended_early"),
        .init(behaviour: .closeMidStream, stream: true, mode: "extractive", fallbackCode: "llm_stream_ended_early"),
        .init(behaviour: .emptyOK, stream: true, mode: "extractive", fallbackCode: "llm_stream_ended_early"),
        .init(behaviour: .errorInStream(message: "context overflow"), stream: true, mode: "extractive", fallbackCode: "llm_error"),
        .init(behaviour: .neverAnswer, stream: true, mode: "extractive", fallbackCode: "llm_timeout"),
        .init(behaviour: .neverAnswer, stream: false, mode: "extractive", fallbackCode: "llm_timeout"),
        .init(behaviour: .answer("Remote work is great."), stream: false, mode: "extractive", fallbackCode: "llm_no_citations"),
        .init(behaviour: .answer("The policies do not say."), stream: true, mode: "refused"),
    ]

    @Test(arguments: cases)
    func endsWithAnAnswerWithinTheDeadline(_ testCase: Case) async throws {
        try DaemonFixtures.requireModel()
        let server = try FakeLanguageModelServer(testCase.behaviour)
        try await ChatFixtures.daemon(model: server).makeApplication().test(.router) { client in
            let start = ContinuousClock.now
            let response = try await ChatFixtures.post(client, ["question": ChatFixtures.question, "stream": testCase.stream])
            let elapsed = ContinuousClock.now - start
            #expect(response.status == .ok)
            // No hang: the whole request, the embedding model's first load included (cases run in parallel).
            #expect(elapsed < .seconds(60), "took \(elapsed)")
            let raw = String(buffer: response.body)
            #expect(!raw.contains(ChatFixtures.secret), "the key leaked")
            let body = testCase.stream ? try #require(try ChatFixtures.events(response).last { $0.name == "done" }).data
                                       : try DaemonFixtures.json(response)
            #expect(body["mode"] as? String == testCase.mode, "\(raw.suffix(600))")
            // The model's share, on policyd's clock: within the 4 s deadline plus room for a test
            // process whose awaits resume late under a full run (the server-side check below is exact).
            let llmMilliseconds = (body["timings_ms"] as? [String: Any])?["llm"] as? Double ?? .infinity
            #expect(llmMilliseconds < 15_000, "the model took \(llmMilliseconds) ms")
            let fallback = body["fallback"] as? [String: Any]
            #expect(fallback?["code"] as? String == testCase.fallbackCode)
            if testCase.mode != "refused" {
                #expect(!ChatFixtures.citations(body).isEmpty)
                #expect((body["answer"] as? String)?.contains("[1]") == true)
            }
        }
        #expect(server.requests.allSatisfy { $0.head.contains("Authorization: Bearer \(ChatFixtures.secret)") })
        // A model that never finishes is hung up on at the deadline (4 s total), as the server saw it.
        for _ in 0..<40 where server.hangUpDelays.isEmpty && testCase.fallbackCode == "llm_timeout" {
            try await Task.sleep(for: .milliseconds(50))
        }
        for delay in server.hangUpDelays { #expect(delay < .milliseconds(4_800), "hung up after \(delay)") }
        if testCase.fallbackCode == "llm_timeout" { #expect(!server.hangUpDelays.isEmpty) }
    }
}
