import Foundation
import Hummingbird
import HummingbirdTesting
import Embeddings
import TestSupport
import Synchronization
import Testing
@testable import QueryServer

@Suite struct EmbeddingLimiterTests {
    /// Holds `count` slots until `release` is resumed.
    private func occupy(_ limiter: EmbeddingLimiter, count: Int) async -> (release: @Sendable () -> Void, tasks: [Task<Void, any Error>]) {
        let (gate, continuation) = AsyncStream<Void>.makeStream()
        var tasks: [Task<Void, any Error>] = []
        for _ in 0..<count {
            tasks.append(Task { try await limiter.withSlot { for await _ in gate { break } } })
        }
        while limiter.snapshot.running < count { await Task.yield() }
        return ({ continuation.finish() }, tasks)
    }

    @Test func aFullQueueIsRefusedAtOnce() async throws {
        let limiter = EmbeddingLimiter(slotCount: 1, queueLength: 0, queueTimeout: .seconds(5))
        let (release, tasks) = await occupy(limiter, count: 1)
        await #expect(throws: QueryError.overloaded(retryAfterSeconds: 1)) { try await limiter.withSlot {} }
        release()
        for task in tasks { try await task.value }
        try await limiter.withSlot {}
        #expect(limiter.snapshot.running == 0)
    }

    @Test func aWaiterPastItsDeadlineIsRefused() async throws {
        let limiter = EmbeddingLimiter(slotCount: 1, queueLength: 4, queueTimeout: .milliseconds(50))
        let (release, tasks) = await occupy(limiter, count: 1)
        await #expect(throws: QueryError.overloaded(retryAfterSeconds: 1)) { try await limiter.withSlot {} }
        #expect(limiter.snapshot.waiting == 0)
        release()
        for task in tasks { try await task.value }
    }

    @Test func waitersGetSlotsInOrderAndNoMoreRunThanTheSlots() async throws {
        let limiter = EmbeddingLimiter(slotCount: 2, queueLength: 64, queueTimeout: .seconds(10))
        let peak = Box(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await limiter.withSlot {
                        peak.update { $0 = max($0, limiter.snapshot.running) }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.value <= 2)
        #expect(limiter.snapshot.running == 0 && limiter.snapshot.waiting == 0)
    }
}

@Suite struct QuestionVectorCacheTests {
    @Test func theLeastRecentlyUsedQuestionIsEvicted() {
        var storage = LRUStorage<[Float]>(capacity: 3)
        storage.insert([1], for: "a")
        storage.insert([2], for: "b")
        storage.insert([3], for: "c")
        #expect(storage.value(for: "a") == [1])      // a is now the most recent
        storage.insert([4], for: "d")                 // evicts b
        #expect(storage.value(for: "b") == nil)
        #expect(storage.keysByRecency == ["d", "a", "c"])
        storage.insert([5], for: "c")                 // update moves c to the front
        #expect(storage.keysByRecency == ["c", "d", "a"])
        #expect(storage.count == 3)
        #expect(storage.hitCount == 1 && storage.missCount == 1)
    }

    @Test func aZeroCapacityCacheHoldsNothing() {
        let cache = QuestionVectorCache(capacity: 0)
        cache.insert(TextEncoding(vector: [1], tokens: TokenSignatures(dimension: 64, pieceIDs: [7], words: [1])), for: "a")
        #expect(cache.encoding(for: "a") == nil)
    }
}

@Suite struct MemoryGuardTests {
    private func cgroup(_ contents: String, file: String = "memory.max") throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("policyd-cgroup")
        if file.contains("/") { try FileManager.default.createDirectory(atPath: folder.path("memory"), withIntermediateDirectories: true) }
        try contents.write(toFile: folder.path(file), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func readsCgroupV2AndV1Limits() throws {
        let v2 = try cgroup("536870912\n")
        #expect(SystemInfo.memoryLimit(root: v2.url.path)?.byteCount == 536_870_912)
        let unlimited = try cgroup("max\n")
        #expect(SystemInfo.memoryLimit(root: unlimited.url.path) == nil)
        let v1 = try cgroup("268435456\n", file: "memory/memory.limit_in_bytes")
        #expect(SystemInfo.memoryLimit(root: v1.url.path)?.byteCount == 268_435_456)
        let v1Unlimited = try cgroup("9223372036854771712\n", file: "memory/memory.limit_in_bytes")
        #expect(SystemInfo.memoryLimit(root: v1Unlimited.url.path) == nil)
    }

    @Test func shedsSearchesAboveHighWaterAndAllButProbesAboveCritical() throws {
        let root = try cgroup("1000000\n")
        let resident = Box(800_000)
        let guardian = MemoryGuard(limits: Limits(), cgroupRoot: root.url.path, residentByteCount: { resident.value })
        #expect(throws: Never.self) { try guardian.admit(.expensive) }
        resident.update { $0 = 900_000 }
        // The sample is cached for 50 ms; a fresh guard sees the new value at once.
        let fresh = MemoryGuard(limits: Limits(), cgroupRoot: root.url.path, residentByteCount: { resident.value })
        #expect(throws: QueryError.self) { try fresh.admit(.expensive) }
        #expect(throws: Never.self) { try fresh.admit(.cheap) }
        resident.update { $0 = 990_000 }
        let critical = MemoryGuard(limits: Limits(), cgroupRoot: root.url.path, residentByteCount: { resident.value })
        #expect(throws: QueryError.self) { try critical.admit(.cheap) }
        #expect(throws: Never.self) { try critical.admit(.probe) }
    }

    @Test func aServerOverItsLimitSheds503WithRetryAfterAndCountsIt() async throws {
        // A 1 MiB limit: any real process is far above it, so searches and status are shed.
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration { $0.limits.fallbackMemoryLimitByteCount = 1 << 20 })
        guard daemon.state.memoryGuard.limitSource == "--memory-limit" else { return }   // a cgroup limit applies instead
        try await daemon.makeApplication().test(.router) { client in
            let search = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "leave"}"#))
            #expect(search.status == .serviceUnavailable)
            #expect(DaemonFixtures.errorCode(search) == "memory_pressure")
            #expect(search.headers[.retryAfter] == "5")
            #expect(try await client.execute(uri: "/v1/status", method: .get).status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"policyd_requests_shed_total{reason="memory_pressure"} 2"#))
        }
    }
}

/// A value shared between tasks in a test.
final class Box<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update(_ body: (inout sending Value) -> Void) { storage.withLock { body(&$0) } }
}
