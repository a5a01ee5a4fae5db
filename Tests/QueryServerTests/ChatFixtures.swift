import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
@testable import Answering
@testable import QueryServer

/// Chat requests against in-process daemons, with or without a model on 127.0.0.1.
enum ChatFixtures {
    static let secret = "sk-test-never-show-this"
    static let question = "How many days can I work from abroad?"
    /// A reply citing two passages sent and one not.
    static let reply = "You may work abroad for up to 20 working days in a rolling 12-month period [1]. Longer stays need approval [2][9]."

    /// A daemon whose model is `server`, with short deadlines (connect 1 s, first token 2 s, total 4 s).
    static func daemon(model server: FakeLanguageModelServer?, _ adjust: (inout LLMSettings) -> Void = { _ in }) throws -> PolicyDaemon {
        try DaemonFixtures.daemon(DaemonFixtures.configuration { configuration in
            guard let server else { return }
            var settings = LLMSettings(baseURL: "http://127.0.0.1:\(server.port)/v1", model: "fake-model", apiKey: secret)
            settings.connectTimeoutSeconds = 1
            settings.firstTokenTimeoutSeconds = 2
            settings.totalTimeoutSeconds = 4
            settings.retryBackoffSeconds = 0.1
            adjust(&settings)
            configuration.languageModel = settings
        })
    }

    static func post(_ client: some TestClientProtocol, path: String = "/v1/chat", _ body: [String: Any]) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await client.execute(uri: path, method: .post, body: ByteBuffer(bytes: data))
    }

    /// The events of an SSE body, in order: (name, JSON object).
    static func events(_ response: TestResponse) throws -> [(name: String, data: [String: Any])] {
        try String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
            var name = "message"
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] ?? [:]
            return (name, object)
        }
    }

    static func citations(_ body: [String: Any]) -> [[String: Any]] { body["citations"] as? [[String: Any]] ?? [] }
}
