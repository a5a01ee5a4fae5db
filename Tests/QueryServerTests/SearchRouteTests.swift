import Foundation
import Hummingbird
import HummingbirdTesting
import IndexFormat
import Testing
@testable import QueryServer

/// The routes in-process, over the committed handbook artifact and the real model.
@Suite struct SearchRouteTests {
    @Test func healthAndReadyAnswerBeforeTheModelIsAskedFor() async throws {
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            let health = try DaemonFixtures.json(try await client.execute(uri: "/health", method: .get))
            #expect(health["status"] as? String == "ok")
            #expect(health["version"] as? String == DaemonVersion.current)
            #expect(health["uptime_seconds"] is Double)

            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(try DaemonFixtures.json(ready)["model"] as? String == "not_requested")

            let status = try DaemonFixtures.json(try await client.execute(uri: "/v1/status", method: .get))
            let artifact = try #require(status["artifact"] as? [String: Any])
            #expect(artifact["chunk_count"] as? Int == 794)
            #expect(artifact["document_count"] as? Int == 36)
            #expect((status["model"] as? [String: Any])?["state"] as? String == "not_requested")
            #expect((status["reload"] as? [String: Any])?["generation"] as? Int == 1)
        }
    }

    /// Lexical search on a format 1.0 artifact (no lexicon) is refused before the question is
    /// embedded: here the model folder does not even exist, and the answer is still the 400.
    @Test func lexicalModeOnAnArtifactWithoutALexiconIsRefusedWithoutEmbedding() async throws {
        let fixture = DaemonFixtures.packageRoot + "/Tests/IndexFormatTests/Fixtures/tiny-v1.0.pidx"
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration(artifact: fixture, model: "/nonexistent/model"))
        try await daemon.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/search", method: .post,
                                                    body: DaemonFixtures.body(#"{"query": "per diem", "mode": "lexical"}"#))
            #expect(response.status == .badRequest)
            let error = try #require(try DaemonFixtures.json(response)["error"] as? [String: Any])
            #expect((error["message"] as? String)?.contains("no lexicon section") == true, "\(error)")
            let status = try DaemonFixtures.json(try await client.execute(uri: "/v1/status", method: .get))
            #expect((status["model"] as? [String: Any])?["state"] as? String == "not_requested")
        }
    }

    @Test func hybridIsTheDefaultAndEveryResultCarriesBothRankings() async throws {
        try DaemonFixtures.requireModel()
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            let body = try DaemonFixtures.json(try await client.execute(
                uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "Form I-9 deadline for new hires", "k": 5}"#)))
            #expect(body["mode"] as? String == "hybrid")
            #expect(body["notice"] == nil)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.count == 5)
            for result in results {
                let dense = try #require(result["dense_score"] as? Double)
                #expect(result["score"] as? Double == dense)  // score stays the dense cosine
                #expect((result["dense_rank"] as? Int ?? 0) >= 1)
                #expect(result["rank_score"] is Double && result["lexical_score"] is Double)
                #expect(!((result["chunk_ids"] as? [String]) ?? []).isEmpty)
            }
            #expect(results.contains { (($0["lexical_rank"] as? Int) ?? .max) <= 5 })
            #expect(results.contains { (($0["text"] as? String) ?? "").contains("I-9") })
            #expect(results.allSatisfy { ($0["text"] as? String)?.isEmpty == false })

            for (mode, rankKey) in [("dense", "dense_rank"), ("lexical", "lexical_rank")] {
                let single = try DaemonFixtures.json(try await client.execute(
                    uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "Form I-9 deadline for new hires", "k": 3, "mode": "\#(mode)"}"#)))
                #expect(single["mode"] as? String == mode)
                let first = try #require((single["results"] as? [[String: Any]])?.first)
                #expect(first[rankKey] as? Int == 1, "\(mode)")
            }
            let bad = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "x", "mode": "fuzzy"}"#))
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("field 'mode' must be"))
        }
    }

    @Test func searchFindsTheWorkingAbroadRuleAndCitesItsSection() async throws {
        try DaemonFixtures.requireModel()
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            let question = #"{"query": "How many days can I work from abroad?", "k": 3, "mode": "dense"}"#
            let response = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(question))
            #expect(response.status == .ok)
            let body = try DaemonFixtures.json(response)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.count == 3)
            let first = try #require(results.first)
            let document = try #require(first["document"] as? [String: Any])
            #expect(document["path"] as? String == "hr/remote-and-hybrid-work.md")
            #expect((first["text"] as? String)?.contains("20 working days") == true)
            #expect((first["chunk_id"] as? String)?.count == 17)
            #expect((first["heading_path"] as? [String])?.last == "Working Abroad")
            #expect(first["heading_path_text"] as? String == "Remote and Hybrid Work Policy > Working Abroad")
            #expect((first["source_character_range"] as? [Int])?.count == 2)
            #expect(first["url"] as? String == "/v1/documents/18#working-abroad")
            #expect(body["embedding_cached"] as? Bool == false)
            #expect((body["timings_ms"] as? [String: Any])?["embed"] is Double)

            // The section the URL points at exists in the document's outline.
            let outline = try DaemonFixtures.json(try await client.execute(uri: "/v1/documents/18", method: .get))
            let anchors = (outline["sections"] as? [[String: Any]])?.compactMap { $0["anchor"] as? String } ?? []
            #expect(anchors.contains("working-abroad"))

            let again = try DaemonFixtures.json(try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(question)))
            #expect(again["embedding_cached"] as? Bool == true)
            let status = try DaemonFixtures.json(try await client.execute(uri: "/v1/status", method: .get))
            #expect((status["model"] as? [String: Any])?["state"] as? String == "loaded")
            #expect((status["embedding_cache"] as? [String: Any])?["hits"] as? Int == 1)
        }
    }

    @Test func documentFilterKeepsResultsInThoseDocuments() async throws {
        try DaemonFixtures.requireModel()
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            let question = #"{"query": "How many days can I work from abroad?", "k": 5, "documents": ["hr/travel.md"]}"#
            let response = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(question))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let results = try #require(try DaemonFixtures.json(response)["results"] as? [[String: Any]])
            #expect(!results.isEmpty)
            for result in results {
                #expect((result["document"] as? [String: Any])?["path"] as? String == "hr/travel.md")
            }
        }
    }

    @Test func documentsAreFoundByIndexOrEncodedPath() async throws {
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            let list = try DaemonFixtures.json(try await client.execute(uri: "/v1/documents", method: .get))
            #expect((list["documents"] as? [Any])?.count == 36)
            let byPath = try DaemonFixtures.json(try await client.execute(uri: "/v1/documents/hr%2Fremote-and-hybrid-work.md", method: .get))
            let byIndex = try DaemonFixtures.json(try await client.execute(uri: "/v1/documents/18", method: .get))
            #expect(byPath["index"] as? Int == 18)
            #expect(byIndex["path"] as? String == "hr/remote-and-hybrid-work.md")
            let sections = try #require(byIndex["sections"] as? [[String: Any]])
            #expect(sections.first?["level"] as? Int == 1)
            let anchors = sections.compactMap { $0["anchor"] as? String }
            #expect(Set(anchors).count == anchors.count, "anchors are unique within a document")
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            _ = try await client.execute(uri: "/health", method: .get)
            _ = try await client.execute(uri: "/nowhere", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains(#"policyd_http_requests_total{route="/health",method="GET",status="200"} 1"#))
            #expect(text.contains(#"status="404""#))
            #expect(text.contains("policyd_resident_memory_bytes"))
            #expect(text.contains(#"policyd_requests_shed_total{reason="overloaded"} 0"#))
            #expect(text.contains("policyd_reload_failures_total 0"))
        }
    }
}
