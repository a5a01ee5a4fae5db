import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QueryServer

/// After a burst of requests, and only then, free memory goes back to the system (`malloc_trim`).
@Suite struct MemoryTrimTests {
    @Test func glibcTakesTheArenaCap() {
        #expect(MallocTuning.limitArenas(to: 8))   // the default for 1 core; harmless in a test process
    }

    @Test func aBurstIsFollowedByOneTrimAndAnIdleServerTrimsNothing() async throws {
        try DaemonFixtures.requireModel()
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration { $0.limits.memoryTrimIntervalSeconds = 0.05 })
        let metrics = daemon.state.metrics
        try await daemon.makeApplication().test(.live) { client in
            // Idle from the start: nothing finished, so nothing to trim.
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.trimCount(metrics) == 0)

            let question = DaemonFixtures.body(#"{"query": "Who approves expenses over $5,000?"}"#)
            for _ in 0..<5 { #expect(try await client.execute(uri: "/v1/search", method: .post, body: question).status == .ok) }
            // One quiet interval later the burst is over and is trimmed once.
            let deadline = ContinuousClock.now + .seconds(10)
            while Self.trimCount(metrics) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(Self.trimCount(metrics) == 1)
            // No further requests: no further trims.
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.trimCount(metrics) == 1)
            // The counter is exported (this request is itself a new burst, trimmed after it).
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("policyd_memory_trims_total 1"))
        }
    }

    /// `policyd_memory_trims_total` read in-process, so looking does not count as a request.
    private static func trimCount(_ metrics: ServerMetrics) -> Int? {
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("policyd_memory_trims_total ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }
}
