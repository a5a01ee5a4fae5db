import Foundation
import Hummingbird
import HummingbirdTesting
import IndexFormat
import TestSupport
import Testing
@testable import QueryServer

/// The model is mapped on the first question and must be the one the artifact was built with.
@Suite struct ModelCheckTests {
    @Test func aModelWithAnotherFingerprintAnswersNothingAndReadySaysWhy() async throws {
        try DaemonFixtures.requireModel()
        let folder = try TemporaryDirectory("policyd-mismatch")
        let path = folder.path("synthetic.pidx")
        // The synthetic artifact records fingerprint "abab…", which the real model does not have.
        try ArtifactWriter.write(SyntheticArtifact.contents(chunkCount: 20, dimension: 384), to: path)
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration(artifact: path))
        try await daemon.makeApplication().test(.router) { client in
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
            let search = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "leave"}"#))
            #expect(search.status == .serviceUnavailable)
            #expect(DaemonFixtures.errorCode(search) == "model_mismatch")
            let message = String(buffer: search.body)
            #expect(message.contains("sha256:8aa3dc63") && message.contains(String(repeating: "ab", count: 32)))
            #expect(!message.contains("\"results\""))

            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(DaemonFixtures.errorCode(ready) == "model_mismatch")
        }
    }

    @Test func aMissingModelIsA503ThatSaysToFetchIt() async throws {
        let configuration = DaemonFixtures.configuration(model: "/nonexistent/model")
        let daemon = try DaemonFixtures.daemon(configuration)
        try await daemon.makeApplication().test(.router) { client in
            let search = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "leave"}"#))
            #expect(search.status == .serviceUnavailable)
            #expect(DaemonFixtures.errorCode(search) == "model_unavailable")
            #expect(String(buffer: search.body).contains("tools/fetch-model"))
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    @Test func aModelFetchedAfterTheStartIsFoundByTheNextQuestion() async throws {
        try DaemonFixtures.requireModel()
        let folder = try TemporaryDirectory("policyd-late-model")
        let modelPath = folder.path("model")
        // The daemon starts hashing a model folder that does not exist yet, and that fails.
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration(model: modelPath))
        try await daemon.makeApplication().test(.router) { client in
            let question = DaemonFixtures.body(#"{"query": "How many vacation days do I get?", "k": 1}"#)
            let before = try await client.execute(uri: "/v1/search", method: .post, body: question)
            #expect(before.status == .serviceUnavailable)
            #expect(DaemonFixtures.errorCode(before) == "model_unavailable")

            try FileManager.default.createSymbolicLink(atPath: modelPath, withDestinationPath: DaemonFixtures.modelFolder)
            let after = try await client.execute(uri: "/v1/search", method: .post, body: question)
            #expect(after.status == .ok, "\(String(buffer: after.body))")
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
        }
    }
}
