import Synchronization
import TestSupport
import Testing
@testable import Answering

/// The client against a real server on 127.0.0.1 that speaks the OpenAI wire format and misbehaves
/// on request. Every case ends within its deadline with text or a specific error.
///
/// Deadlines are checked where the server sees the client hang up (`hangUpDelays`): in a full
/// `swift test` run other suites keep the cooperative threads busy, and this test's own awaits can
/// resume seconds late. Bounds on the test's own clock only rule out hangs.
@Suite struct ChatCompletionClientTests {
    static let messages = [ChatMessage(role: .user, content: "How many days abroad?")]
    static let reply = "Up to 20 working days a year [1]."

    static func client(_ server: FakeLanguageModelServer, _ adjust: (inout LLMSettings) -> Void = { _ in }) -> ChatCompletionClient {
        var settings = LLMSettings(baseURL: "http://127.0.0.1:\(server.port)/v1", model: "fake-model", apiKey: "sk-test-secret")
        settings.connectTimeoutSeconds = 1
        settings.firstTokenTimeoutSeconds = 2
        settings.totalTimeoutSeconds = 4
        adjust(&settings)
        return ChatCompletionClient(settings: settings)
    }

    @Test(arguments: [false, true])
    func answersAndSendsTheKeyAndModel(stream: Bool) async throws {
        let server = try FakeLanguageModelServer(.answer(Self.reply))
        let pieces = Mutex<[String]>([])
        let completion = try await Self.client(server).complete(Self.messages, stream: stream) { text in pieces.withLock { $0.append(text) } }
        #expect(completion.text == Self.reply)
        #expect(completion.model == "fake-model")
        #expect(pieces.withLock { $0.joined() } == Self.reply)
        if stream { #expect(pieces.withLock { $0.count } > 3, "the text arrives in pieces") }
        let request = try #require(server.requests.first)
        #expect(request.head.hasPrefix("POST /v1/chat/completions HTTP/1.1"))
        #expect(request.head.contains("Authorization: Bearer sk-test-secret"))
        #expect(request.body.contains(#""model":"fake-model""#))
        #expect(request.body.contains(#""stream":\#(stream)"#))
    }

    @Test func retriesOnceAfterA429HonouringRetryAfter() async throws {
        let server = try FakeLanguageModelServer(.rateLimitedOnce(retryAfterSeconds: 1, text: Self.reply))
        let start = ContinuousClock.now
        let completion = try await Self.client(server).complete(Self.messages, stream: true)
        #expect(completion.text == Self.reply)
        #expect(completion.attemptCount == 2)
        #expect(ContinuousClock.now - start >= .seconds(1))
        #expect(server.requests.count == 2)
    }

    @Test func givesUpWhenRetryAfterDoesNotFitTheDeadline() async throws {
        let server = try FakeLanguageModelServer(.rateLimitedOnce(retryAfterSeconds: 30, text: Self.reply))
        await #expect(throws: AnswerError.httpStatus(429)) { try await Self.client(server).complete(Self.messages, stream: true) }
        #expect(server.requests.count == 1, "no retry: a 30 s wait does not fit the 4 s deadline")
    }

    @Test func retriesA500OnceThenReportsItWithoutTheBody() async throws {
        let server = try FakeLanguageModelServer(.serverError)
        do {
            _ = try await Self.client(server) { $0.retryBackoffSeconds = 0.1 }.complete(Self.messages, stream: false)
            Issue.record("expected an error")
        } catch {
            #expect(error == .httpStatus(500))
            #expect(!error.description.contains("sk-test-secret"))
        }
        #expect(server.requests.count == 2)
    }

    @Test(arguments: [
        (FakeLanguageModelServer.Behaviour.malformedJSON, true, AnswerError.malformedResponse("a reply is not valid JSON")),
        (.malformedJSON, false, .malformedResponse("a reply is not valid JSON")),
        (.brokenEventStream, true, .streamEndedEarly),
        (.closeMidStream, true, .streamEndedEarly),
        (.emptyOK, true, .streamEndedEarly),
        (.errorInStream(message: "model crashed"), true, .endpointError("model crashed")),
    ])
    func reportsBadRepliesAsSpecificErrors(behaviour: FakeLanguageModelServer.Behaviour, stream: Bool, expected: AnswerError) async throws {
        let server = try FakeLanguageModelServer(behaviour)
        let start = ContinuousClock.now
        await #expect(throws: expected) { try await Self.client(server).complete(Self.messages, stream: stream) }
        #expect(ContinuousClock.now - start < .seconds(30), "no hang")
    }

    @Test func stopsWaitingAtTheFirstTokenDeadline() async throws {
        let server = try FakeLanguageModelServer(.neverAnswer)
        await #expect(throws: AnswerError.firstTokenTimedOut(seconds: 2)) { try await Self.client(server).complete(Self.messages, stream: true) }
        let delay = try #require(await Self.firstHangUp(server))
        // The deadline is checked at libcurl's progress callback, at least once a second.
        #expect(delay >= .milliseconds(1_900) && delay < .milliseconds(3_500), "hung up after \(delay)")
    }

    @Test func stopsADripAtTheTotalDeadline() async throws {
        let server = try FakeLanguageModelServer(.drip(pieces: Array(repeating: "word ", count: 100), intervalMilliseconds: 100))
        await #expect(throws: AnswerError.totalTimedOut(seconds: 4)) { try await Self.client(server).complete(Self.messages, stream: true) }
        let delay = try #require(await Self.firstHangUp(server))
        #expect(delay >= .milliseconds(3_500) && delay < .milliseconds(4_800), "hung up after \(delay)")
    }

    /// The server's measure of when the client hung up (it notices within about one drip interval).
    static func firstHangUp(_ server: FakeLanguageModelServer) async -> Duration? {
        for _ in 0..<200 {
            if let delay = server.hangUpDelays.first { return delay }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func refusedConnectionIsAnUnreachableModel() async throws {
        let server = try FakeLanguageModelServer(.neverAnswer)
        let port = server.port
        server.stop()
        var settings = LLMSettings(baseURL: "http://127.0.0.1:\(port)/v1", model: "m", apiKey: nil)
        settings.totalTimeoutSeconds = 3
        do {
            _ = try await ChatCompletionClient(settings: settings).complete(Self.messages, stream: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "llm_unreachable")
        }
    }

    @Test func cancellingTheTaskStopsTheTransfer() async throws {
        let server = try FakeLanguageModelServer(.neverAnswer)
        let client = Self.client(server) { $0.firstTokenTimeoutSeconds = 30; $0.totalTimeoutSeconds = 30 }
        let task = Task { try await client.complete(Self.messages, stream: true) }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        await #expect(throws: AnswerError.cancelled) { try await task.value }
        let delay = try #require(await Self.firstHangUp(server))
        #expect(delay < .seconds(3), "the transfer stopped \(delay) after the request, with 30 s deadlines")
    }

    @Test func busyWhenEveryConnectionIsInUse() async throws {
        let server = try FakeLanguageModelServer(.neverAnswer)
        let client = Self.client(server) { $0.concurrentRequestCount = 1 }
        let first = Task { try await client.complete(Self.messages, stream: true) }
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: AnswerError.busy) { try await client.complete(Self.messages, stream: true) }
        first.cancel()
        _ = try? await first.value
    }
}
