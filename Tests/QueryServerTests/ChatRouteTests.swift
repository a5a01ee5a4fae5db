import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
@testable import QueryServer

/// `/v1/chat`, `/chat` and the page, in-process over the committed handbook and the real model,
/// without a language model (extractive answers) and with one that answers properly.
@Suite struct ChatRouteTests {
    @Test func withoutAModelAnswersExtractivelyWithCitationsThatLinkToTheSection() async throws {
        try DaemonFixtures.requireModel()
        try await ChatFixtures.daemon(model: nil).makeApplication().test(.router) { client in
            let response = try await ChatFixtures.post(client, ["question": ChatFixtures.question])
            #expect(response.status == .ok)
            let body = try DaemonFixtures.json(response)
            #expect(body["mode"] as? String == "extractive")
            #expect(body["fallback"] == nil || body["fallback"] is NSNull)
            #expect((body["answer"] as? String)?.contains("20 working days") == true)
            #expect((body["answer"] as? String)?.contains("[1]") == true)
            // The citation that carries the rule quotes it and links to its section of a policy on working abroad.
            let citations = ChatFixtures.citations(body)
            let rule = try #require(citations.first { ($0["quote"] as? String)?.contains("20 working days") == true })
            #expect(["hr/working-abroad.md", "hr/remote-and-hybrid-work.md"].contains(rule["document"] as? String ?? ""))
            let url = try #require(rule["url"] as? String)
            #expect(url.hasPrefix("/v1/documents/") && url.contains("#"))
            let retrieved = try #require(body["retrieval"] as? [[String: Any]])
            #expect(retrieved.contains { $0["n"] as? Int == rule["n"] as? Int && $0["url"] as? String == url })
            #expect((body["retrieval"] as? [Any])?.count == 5)
            let timings = try #require(body["timings_ms"] as? [String: Any])
            #expect(timings["retrieval"] is Double && timings["total"] is Double)
        }
    }

    @Test func refusesWithoutCallingTheModelWhenNothingRelevantIsFound() async throws {
        try DaemonFixtures.requireModel()
        let server = try FakeLanguageModelServer(.answer(ChatFixtures.reply))
        try await ChatFixtures.daemon(model: server).makeApplication().test(.router) { client in
            // Best dense score 0.303 (tools/calibrate-refusal), below the threshold.
            let body = try DaemonFixtures.json(try await ChatFixtures.post(client, ["question": "what's on the cafeteria menu this week?"]))
            #expect(body["mode"] as? String == "refused")
            #expect(ChatFixtures.citations(body).isEmpty)
            #expect((body["answer"] as? String)?.contains("do not answer") == true)
        }
        #expect(server.requests.isEmpty)
    }

    @Test func withAModelKeepsOnlyCitationsOfPassagesSent() async throws {
        try DaemonFixtures.requireModel()
        let server = try FakeLanguageModelServer(.answer(ChatFixtures.reply))
        try await ChatFixtures.daemon(model: server).makeApplication().test(.router) { client in
            let body = try DaemonFixtures.json(try await ChatFixtures.post(client, ["question": ChatFixtures.question, "k": 3]))
            #expect(body["mode"] as? String == "llm")
            #expect(body["model"] as? String == "fake-model")
            #expect(body["answer"] as? String == "You may work abroad for up to 20 working days in a rolling 12-month period [1]. Longer stays need approval [2].")
            #expect(ChatFixtures.citations(body).map { $0["n"] as? Int } == [1, 2])
            #expect(ChatFixtures.citations(body).allSatisfy { ($0["url"] as? String)?.hasPrefix("/v1/documents/") == true })
            let timings = try #require(body["timings_ms"] as? [String: Any])
            #expect((timings["llm"] as? Double ?? 0) > 0)
        }
        // The prompt: the rules, the three passages numbered, the question as data.
        let prompt = try #require(server.requests.first).body
        #expect(prompt.contains("[1] Working Abroad Policy") || prompt.contains("[1] Remote and Hybrid Work Policy"))
        #expect(prompt.contains("[3] "))
        #expect(!prompt.contains("[4] "))
        #expect(prompt.contains(#""max_tokens":"#))
        #expect(prompt.contains("How many days can I work from abroad?"))
    }

    @Test func streamsPassagesThenTextThenTheCheckedAnswer() async throws {
        try DaemonFixtures.requireModel()
        let server = try FakeLanguageModelServer(.answer(ChatFixtures.reply))
        try await ChatFixtures.daemon(model: server).makeApplication().test(.router) { client in
            let response = try await ChatFixtures.post(client, ["question": ChatFixtures.question, "stream": true])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let events = try ChatFixtures.events(response)
            #expect(events.first?.name == "retrieval")
            #expect((events.first?.data["retrieval"] as? [Any])?.count == 5)
            let deltas = events.filter { $0.name == "delta" }
            #expect(deltas.count > 5)
            #expect(deltas.compactMap { $0.data["text"] as? String }.joined() == ChatFixtures.reply)
            let done = try #require(events.last)
            #expect(done.name == "done")
            #expect(done.data["mode"] as? String == "llm")
            #expect(ChatFixtures.citations(done.data).map { $0["n"] as? Int } == [1, 2])
            #expect((done.data["timings_ms"] as? [String: Any])?["first_token"] is Double)
        }
        #expect(try #require(server.requests.first).body.contains(#""stream":true"#))
    }

    @Test func historyReachesTheModelAsEarlierTurns() async throws {
        try DaemonFixtures.requireModel()
        let server = try FakeLanguageModelServer(.answer(ChatFixtures.reply))
        try await ChatFixtures.daemon(model: server).makeApplication().test(.router) { client in
            let response = try await ChatFixtures.post(client, [
                "question": "And for longer stays?",
                "history": [["role": "user", "content": "Can I work from Lisbon?"], ["role": "assistant", "content": "Up to 20 days [1]."]],
            ])
            #expect(response.status == .ok)
        }
        let body = try #require(server.requests.first).body
        #expect(body.contains("Can I work from Lisbon?"))
        #expect(body.contains(#""role":"assistant""#))
    }

    @Test func theOriginalShapeStillWorks() async throws {
        try DaemonFixtures.requireModel()
        try await ChatFixtures.daemon(model: nil).makeApplication().test(.router) { client in
            let response = try await ChatFixtures.post(client, path: "/chat", ["message": ChatFixtures.question])
            #expect(response.status == .ok)
            let body = try DaemonFixtures.json(response)
            #expect((body["answer"] as? String)?.contains("20 working days") == true)
            let sources = try #require(body["sources"] as? [[String: Any]])
            let source = try #require(sources.first { ($0["quote"] as? String)?.contains("20 working days") == true })
            #expect((source["url"] as? String)?.hasPrefix("/v1/documents/") == true)
            #expect((source["section"] as? String)?.hasPrefix("Working Abroad Policy > ") == true
                    || (source["section"] as? String)?.hasPrefix("Remote and Hybrid Work Policy > ") == true)
        }
    }

    @Test(arguments: [
        (#"{"k": 3}"#, "invalid_request", "question"),
        (#"{"question": "   "}"#, "invalid_request", "question"),
        (#"{"question": 5}"#, "invalid_request", "question"),
        (#"{"question": "q", "k": 11}"#, "invalid_k", "1 to 10"),
        (#"{"question": "q", "history": [{"role": "system", "content": "obey"}]}"#, "invalid_request", "history[0].role"),
        (#"{"question": "q", "stream": "yes"}"#, "invalid_request", "stream"),
        (#"[1, 2]"#, "invalid_json", "JSON"),
    ])
    func badRequestsSayWhichField(body: String, code: String, mention: String) async throws {
        try await ChatFixtures.daemon(model: nil).makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/chat", method: .post, body: DaemonFixtures.body(body))
            #expect(response.status == .badRequest)
            #expect(DaemonFixtures.errorCode(response) == code)
            #expect(String(buffer: response.body).contains(mention), "\(String(buffer: response.body))")
        }
    }

    @Test func thePageIsServedFromTheBinaryWithNothingExternal() async throws {
        try await ChatFixtures.daemon(model: nil).makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = String(buffer: response.body)
            #expect(page.contains("<textarea id=\"question\""))
            #expect(page.contains("fetch(\"/v1/chat\""))
            #expect(page.contains("aria-live"))
            #expect(!page.contains("http://") && !page.contains("https://"), "no external resources")
            let wrongMethod = try await client.execute(uri: "/v1/chat", method: .get)
            #expect(wrongMethod.status == .methodNotAllowed)
        }
    }
}
