import Foundation
import TestSupport
import Testing

/// `policyd` as a child process with a language model that never answers: the blocking transfer
/// runs on the client's own threads, so other requests are served meanwhile, the chat ends with
/// the extractive fallback at its deadline, and the key appears nowhere in the log or the answer.
@Suite struct ChatProcessTests {
    @Test func aSilentModelStallsNeitherTheServerNorTheAnswer() async throws {
        try DaemonFixtures.requireModel()
        let model = try FakeLanguageModelServer(.neverAnswer)
        let child = try DaemonChild(
            arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder,
                        "--host", "127.0.0.1", "--port", "0", "--log-level", "debug"],
            environment: ["LLM_BASE_URL": "http://127.0.0.1:\(model.port)/v1", "LLM_MODEL": "fake-model",
                          "LLM_API_KEY": ChatFixtures.secret, "LLM_FIRST_TOKEN_TIMEOUT_SECONDS": "8",
                          "LLM_TOTAL_TIMEOUT_SECONDS": "9"])
        let port = try #require(await child.waitForPort())
        // Load the embedding model first, so the chat below waits on the language model only.
        let warm = try RawConnection(port: port, receiveTimeoutSeconds: 30)
        let search = #"{"query": "warm up", "k": 1}"#
        warm.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: \(search.utf8.count)\r\nConnection: close\r\n\r\n\(search)")
        #expect(await warm.receiveAllOffPool().hasPrefix("HTTP/1.1 200"))
        // The status names the model and its deadlines, never the key.
        let statusConnection = try RawConnection(port: port, receiveTimeoutSeconds: 10)
        statusConnection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let status = await statusConnection.receiveAllOffPool()
        #expect(status.contains(#""answering":{"api_key":"set","connect_timeout_seconds":3,"endpoint":"http://127.0.0.1:\#(model.port)/v1/chat/completions","first_token_timeout_seconds":8,"mode":"llm","model":"fake-model","total_timeout_seconds":9}"#), "\(status)")
        #expect(!status.contains(ChatFixtures.secret))

        let chat = try RawConnection(port: port, receiveTimeoutSeconds: 20)
        let body = #"{"question": "How many days can I work from abroad?", "stream": true}"#
        let started = ContinuousClock.now
        chat.send("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        let answer = Task { await chat.receiveAllOffPool() }
        // Wait until the model has the request and is sitting on it.
        while model.requests.isEmpty, ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(model.requests.count == 1)

        for _ in 0..<5 {
            let probeStart = ContinuousClock.now
            let probe = try RawConnection(port: port, receiveTimeoutSeconds: 5)
            probe.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await probe.receiveAllOffPool().hasPrefix("HTTP/1.1 200"))
            // Health waiting on the model would take the 8 s first-token deadline; 3 s leaves room
            // for a test process that resumes late under a full `swift test` run.
            #expect(ContinuousClock.now - probeStart < .seconds(3), "health waited on the model")
        }

        let text = await answer.value
        let elapsed = ContinuousClock.now - started
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.contains("event: retrieval"))
        #expect(text.contains("event: done"))
        #expect(text.contains(#""mode":"extractive""#))
        #expect(text.contains(#""code":"llm_timeout""#))
        #expect(elapsed < .seconds(20), "the chat took \(elapsed)")
        for _ in 0..<100 where model.hangUpDelays.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        let delay = try #require(model.hangUpDelays.first)
        #expect(delay >= .milliseconds(7_900) && delay < .milliseconds(9_500), "policyd hung up on the model after \(delay)")
        #expect(!text.contains(ChatFixtures.secret))
        #expect(await child.waitForLog("language model failed"))
        #expect(child.standardError.contains("key=set"))
        #expect(!child.standardError.contains(ChatFixtures.secret), "the key is in the log")
    }

    @Test func aBadLanguageModelSettingStopsStartUpWithoutEchoingTheKey() async throws {
        let child = try DaemonChild(
            arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder, "--port", "0"],
            environment: ["LLM_BASE_URL": "127.0.0.1:9/v1", "LLM_MODEL": "m", "LLM_API_KEY": ChatFixtures.secret])
        #expect(await child.waitForExit() == 64)
        #expect(child.standardError.contains("LLM_BASE_URL must start with http://"))
        #expect(!child.standardError.contains(ChatFixtures.secret))
    }

    /// libcurl is opened only when a model is set, and then at start: a machine without it hears so
    /// at once, not at the first question. dlopen searches LD_LIBRARY_PATH first, so a file there
    /// named libcurl.so.4 that is no library stands in for a broken or missing one.
    @Test func aLanguageModelWithoutLibcurlStopsStartUpAndSaysWhatToInstall() async throws {
        let folder = try TemporaryDirectory("no-curl")
        try "not a shared library".write(toFile: folder.path("libcurl.so.4"), atomically: true, encoding: .utf8)
        let child = try DaemonChild(
            arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder, "--port", "0"],
            environment: ["LLM_BASE_URL": "http://127.0.0.1:9/v1", "LLM_MODEL": "m", "LD_LIBRARY_PATH": folder.url.path])
        #expect(await child.waitForExit() == 2)
        #expect(child.standardError.contains("cannot ask the language model: libcurl could not be loaded (\(folder.path("libcurl.so.4")): "),
                "\(child.standardError)")
        #expect(child.standardError.contains("install Debian's libcurl4 package, or unset LLM_BASE_URL to answer from the passages"))
    }
}
