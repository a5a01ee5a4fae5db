import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
@testable import QueryServer

/// Reloads swap the artifact atomically; a bad file is refused while requests keep succeeding.
@Suite struct ReloadTests {
    /// A copy of the committed artifact in a fresh folder, so the test can replace it.
    static func servedCopy() throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory("policyd-reload")
        let path = folder.path("policies.pidx")
        try FileManager.default.copyItem(atPath: DaemonFixtures.artifactPath, toPath: path)
        return (folder, path)
    }

    /// Replaces `path` the way policyc does: write beside it, then rename over it.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)   // a new file renamed over the old
    }

    /// The committed artifact with one byte flipped inside its vectors section.
    static func corruptedBytes() throws -> [UInt8] {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath)))
        bytes[bytes.count / 2] ^= 0xFF
        return bytes
    }

    @Test func aCorruptFileUnderLoadIsRefusedAndNoRequestFails() async throws {
        try DaemonFixtures.requireModel()
        let (folder, path) = try Self.servedCopy()
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration(artifact: path))
        let state = daemon.state
        try await daemon.makeApplication().test(.live) { client in
            let question = DaemonFixtures.body(#"{"query": "Who approves expenses over $5,000?", "k": 3}"#)
            #expect(try await client.execute(uri: "/v1/search", method: .post, body: question).status == .ok)
            let statuses = try await withThrowingTaskGroup(of: [HTTPResponse.Status].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        var seen: [HTTPResponse.Status] = []
                        for _ in 0..<60 { seen.append(try await client.execute(uri: "/v1/search", method: .post, body: question).status) }
                        return seen
                    }
                }
                group.addTask {
                    try Self.replace(path, with: try Self.corruptedBytes())
                    await ReloadService.reload(state)
                    return []
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 120)
            #expect(statuses.allSatisfy { $0 == .ok })
            #expect(state.store.current.generation == 1)
            #expect(state.store.reloadStatus.failedReloadCount == 1)
            #expect(state.store.reloadStatus.lastError?.contains("checksum") == true)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("policyd_reload_failures_total 1"))

            // A good file afterwards is swapped in.
            try Self.replace(path, with: [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath))))
            await ReloadService.reload(state)
            #expect(state.store.current.generation == 2)
            #expect(state.store.reloadStatus.lastError == nil)
            let status = try DaemonFixtures.json(try await client.execute(uri: "/v1/status", method: .get))
            #expect((status["reload"] as? [String: Any])?["generation"] as? Int == 2)
            #expect(try await client.execute(uri: "/v1/search", method: .post, body: question).status == .ok)
        }
        withExtendedLifetime(folder) {}
    }

    @Test func aRequestKeepsTheArtifactItStartedWith() throws {
        let (folder, path) = try Self.servedCopy()
        let store = try ArtifactStore(path: path, verifiesDigest: false)
        let held = store.current
        try Self.replace(path, with: [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath))))
        _ = store.reload(logger: DaemonFixtures.logger)
        #expect(store.current !== held)
        #expect(store.current.generation == 2)
        // The old mapping still reads (it is unmapped only when `held` is released).
        #expect(try held.reader.chunkText(at: 0).isEmpty == false)
        withExtendedLifetime(folder) {}
    }
}
