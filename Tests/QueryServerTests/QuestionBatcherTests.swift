import Foundation
import Hummingbird
import HummingbirdTesting
import Embeddings
import Testing
@testable import QueryServer

/// Questions that wait together are embedded in one pass, each exactly as it would be alone, within
/// the queue's bounds; and a real server answers concurrent searches as it answers them one by one.
@Suite struct QuestionBatcherTests {
    static let questions = (0..<24).map { "How many days of leave do I get in my year \($0) with the company?" }
    /// About 200 tokens: a pass of it takes long enough (tens of ms) for a test to queue behind it.
    static let longQuestion = String(repeating: "Which expenses for travel abroad need a manager's approval first? ", count: 16)

    private func embedder() throws -> SentenceEmbedder {
        try DaemonFixtures.requireModel()
        return try SentenceEmbedder(folder: DaemonFixtures.modelFolder, precision: .bfloat16)
    }

    @Test func questionsEmbeddedTogetherGetTheirVectorsAloneBitForBit() async throws {
        let embedder = try embedder()
        let batcher = QuestionBatcher(workerCount: 1, batchLimit: 8, passTokenLimit: 256, queueLength: 64, queueTimeout: .seconds(30))
        let alone = Self.questions.map { embedder.embed($0).map(\.bitPattern) }
        // Rounds of concurrent questions until one pass held several (one worker: while it encodes,
        // the others queue; the first round nearly always does it).
        var largestPass = 1
        for _ in 0..<5 where largestPass == 1 {
            let results = try await withThrowingTaskGroup(of: (Int, QuestionBatcher.Embedded).self) { group in
                for (index, question) in Self.questions.enumerated() {
                    group.addTask { (index, try await batcher.embed(question, with: embedder)) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (index, embedded) in results {
                #expect(embedded.vector.map(\.bitPattern) == alone[index], "question \(index), in a pass of \(embedded.passQuestionCount)")
                #expect(embedded.passQuestionCount <= 8)
                largestPass = max(largestPass, embedded.passQuestionCount)
            }
        }
        #expect(largestPass > 1, "no pass ever held more than one question")
        try await Self.waitUntilIdle(batcher)
        let snapshot = batcher.snapshot
        #expect(snapshot.passCount < snapshot.questionCount)
        #expect(snapshot.runningPasses == 0 && snapshot.waiting == 0)
    }

    @Test func aFullQueueIsRefusedAndALateWaiterIsShed() async throws {
        let embedder = try embedder()
        // No queue: while the one worker encodes the first long question, the others are refused.
        let noQueue = QuestionBatcher(workerCount: 1, batchLimit: 8, passTokenLimit: 256, queueLength: 0, queueTimeout: .seconds(30))
        let unqueued = await Self.outcomes(of: 8, longQuestionsTo: noQueue, with: embedder)
        #expect(unqueued.served >= 1 && unqueued.refused >= 1, "\(unqueued)")

        // A zero deadline: questions that had to queue are refused when the worker reaches them.
        let noWait = QuestionBatcher(workerCount: 1, batchLimit: 8, passTokenLimit: 256, queueLength: 8, queueTimeout: .zero)
        let late = await Self.outcomes(of: 8, longQuestionsTo: noWait, with: embedder)
        #expect(late.served >= 1 && late.refused >= 1, "\(late)")
        #expect(noWait.snapshot.waiting == 0)
        try await Self.waitUntilIdle(noWait)
        // An idle batcher starts a pass for a lone question at once (a new worker), deadline or not.
        #expect(try await noWait.embed("pto", with: embedder).passQuestionCount == 1)
    }

    /// Waits until the batcher's last worker has retired: callers are answered from inside the
    /// last pass, and its worker retires just after.
    private static func waitUntilIdle(_ batcher: QuestionBatcher) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while batcher.snapshot.runningPasses > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(batcher.snapshot.runningPasses == 0)
    }

    /// Sends `count` long questions at once (each fills a pass: one at a time with one worker);
    /// counts those embedded and those refused as overloaded.
    private static func outcomes(of count: Int, longQuestionsTo batcher: QuestionBatcher,
                                 with embedder: SentenceEmbedder) async -> (served: Int, refused: Int) {
        await withTaskGroup(of: Bool?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do throws(QueryError) { _ = try await batcher.embed(Self.longQuestion, with: embedder); return true } catch { if case .overloaded = error { return false }; return nil }
                }
            }
            return await group.reduce(into: (0, 0)) { tally, served in
                if served == true { tally.0 += 1 } else if served == false { tally.1 += 1 }
            }
        }
    }

    @Test func thePassTokenLimitSplitsPassesButALongQuestionStillGoes() async throws {
        let embedder = try embedder()
        let tokenCount = embedder.tokenIDs(for: Self.longQuestion).count
        let batcher = QuestionBatcher(workerCount: 1, batchLimit: 8, passTokenLimit: tokenCount - 1, queueLength: 64, queueTimeout: .seconds(30))
        let results = try await withThrowingTaskGroup(of: QuestionBatcher.Embedded.self) { group in
            for _ in 0..<4 { group.addTask { try await batcher.embed(Self.longQuestion, with: embedder) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4)
        #expect(results.allSatisfy { $0.passQuestionCount == 1 })
    }

    /// Over real sockets on 127.0.0.1: 16 connections ask 16 different questions at once; then each
    /// is asked alone (cache off, so it is embedded again) and must get the same answer, scores
    /// included, bit for bit as JSON prints them.
    @Test func concurrentSearchesOverSocketsAnswerAsSearchesAlone() async throws {
        try DaemonFixtures.requireModel()
        let daemon = try DaemonFixtures.daemon(DaemonFixtures.configuration {
            $0.limits.embeddingCacheCapacity = 0
            $0.limits.concurrentEmbeddingCount = 1   // one worker: concurrent questions must share passes
        })
        try await daemon.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            #expect(try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "warm up"}"#)).status == .ok)
            let questions = Array(Self.questions.prefix(16))
            let together = await withTaskGroup(of: (Int, String).self) { group in
                for (index, question) in questions.enumerated() {
                    group.addTask { (index, await Self.search(question, port: port)) }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (index, question) in questions.enumerated() {
                let alone = await Self.search(question, port: port)
                #expect(Self.resultsPart(alone) != nil, "question \(index) alone: \(alone.prefix(200))")
                #expect(Self.resultsPart(together[index] ?? "") == Self.resultsPart(alone), "question \(index)")
            }
            let status = try DaemonFixtures.json(try await client.execute(uri: "/v1/status", method: .get))
            let work = try #require(status["work"] as? [String: Any])
            let passes = try #require(work["embedding_passes"] as? Int), embedded = try #require(work["questions_embedded"] as? Int)
            #expect(embedded == 1 + 16 + 16)
            #expect(passes < embedded, "the 16 concurrent questions never shared a pass")
        }
    }

    /// One POST /v1/search on a connection of its own; the whole response.
    private static func search(_ question: String, port: Int) async -> String {
        let body = #"{"query": "\#(question)", "k": 5}"#
        return await RawConnection.onThread {
            guard let connection = try? RawConnection(port: port, receiveTimeoutSeconds: 30) else { return "no connection" }
            connection.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            return connection.receiveAll()
        }
    }

    /// The `"results":[…]` of a 200 response body (keys are sorted, so timings come before it and
    /// the cache flag, digest and generation after it are the same in both).
    private static func resultsPart(_ response: String) -> Substring? {
        guard response.hasPrefix("HTTP/1.1 200"), let start = response.range(of: #""results":["#),
              let end = response.range(of: #""timings_ms""#) else { return nil }
        return response[start.lowerBound..<end.lowerBound]
    }
}
