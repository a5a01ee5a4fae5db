import Embeddings
import Synchronization

/// Embeds the questions of searches, several in one encoder pass when they wait together.
///
/// At most `workerCount` passes run at once, on NIO's thread pool. A question that finds a worker
/// free starts a pass at once, so a lone question waits for nothing; questions that arrive while
/// every worker is busy queue, and the next free worker takes up to `batchLimit` of them (and at
/// most `passTokenLimit` tokens, though a longer question still goes, alone) in one pass: the
/// weights then stream through the cache once for all of them. A worker takes at most its share
/// of the queue, so the other cores get passes too. Each question's follow-up work (its search)
/// runs on the pass's thread right after the pass. The encoder computes every row of a pass on
/// its own, so a question's vector is bit for bit the one it gets alone (`PassEquivalenceTests`,
/// `QuestionBatcherTests`): the embedding cache and the answers do not depend on who else asked.
///
/// At most `queueLength` questions wait; more are refused at once with `.overloaded`, and so is
/// a question that has waited longer than `queueTimeout` when a worker reaches it.
package final class QuestionBatcher: Sendable {
    /// One question's vector and token signatures, how long its pass took, and how many questions
    /// shared the pass.
    package struct Embedded: Sendable {
        package var encoding: TextEncoding
        package var vector: [Float] { encoding.vector }
        package var passDuration: Duration
        package var passQuestionCount: Int
    }

    package struct Snapshot: Sendable {
        /// Passes being encoded now.
        package var runningPasses: Int
        /// Questions queued for the next free worker.
        package var waiting: Int
        /// Passes and questions embedded since the start (their ratio is the mean batch size).
        package var passCount: Int
        package var questionCount: Int
    }

    private struct Waiter: Sendable {
        let tokenIDs: [Int32]
        let embedder: SentenceEmbedder
        let enqueuedAt: ContinuousClock.Instant
        /// Runs the caller's follow-up work with the vector (or takes a refusal) and resumes the caller.
        let finish: @Sendable (Result<Embedded, QueryError>) -> Void
    }

    private struct State {
        var waiters: [Waiter] = []
        var runningWorkers = 0
        var passCount = 0
        var questionCount = 0
    }

    package let workerCount: Int
    package let batchLimit: Int
    package let passTokenLimit: Int
    package let queueLength: Int
    package let queueTimeout: Duration
    private let state = Mutex(State())

    package init(workerCount: Int, batchLimit: Int, passTokenLimit: Int, queueLength: Int, queueTimeout: Duration) {
        precondition(workerCount >= 1 && batchLimit >= 1 && passTokenLimit >= 1 && queueLength >= 0)
        self.workerCount = workerCount
        self.batchLimit = batchLimit
        self.passTokenLimit = passTokenLimit
        self.queueLength = queueLength
        self.queueTimeout = queueTimeout
    }

    package var snapshot: Snapshot {
        state.withLock { Snapshot(runningPasses: $0.runningWorkers, waiting: $0.waiters.count,
                                  passCount: $0.passCount, questionCount: $0.questionCount) }
    }

    /// The vector of `question` from `embedder`, encoded in a pass with whichever questions wait
    /// beside it, and what `followUp` makes of it: it runs on the pass's thread right after the pass
    /// (a search, say), which saves the caller another trip to the thread pool. Throws `.overloaded`
    /// when the queue is full or the wait outlasted `queueTimeout`.
    package func embed<Value: Sendable>(_ question: String, with embedder: SentenceEmbedder,
                                        then followUp: @escaping @Sendable (Embedded) -> Value)
        async throws(QueryError) -> (embedded: Embedded, value: Value) {
        let tokenIDs = embedder.tokenIDs(for: question)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(embedded: Embedded, value: Value), QueryError>, Never>) in
            let waiter = Waiter(tokenIDs: tokenIDs, embedder: embedder, enqueuedAt: .now) { outcome in
                continuation.resume(returning: outcome.map { ($0, followUp($0)) })
            }
            admit(waiter)
        }
        return try result.get()
    }

    /// Starts a worker for `waiter` when one is free, else queues it, or refuses it when the queue is full.
    private func admit(_ waiter: Waiter) {
        enum Admission { case refuse, queued, startWorker }
        let admission: Admission = state.withLock { state in
            if state.runningWorkers < workerCount {
                state.runningWorkers += 1   // a new worker encodes it at once: it never queues
                return .startWorker
            }
            if state.waiters.count >= queueLength { return .refuse }
            state.waiters.append(waiter)
            return .queued
        }
        switch admission {
        case .refuse: waiter.finish(.failure(.overloaded(retryAfterSeconds: 1)))
        case .queued: break
        case .startWorker: Task { await self.runWorker(firstPass: [waiter]) }
        }
    }

    /// The vector of `question` alone, with no follow-up work.
    package func embed(_ question: String, with embedder: SentenceEmbedder) async throws(QueryError) -> Embedded {
        try await embed(question, with: embedder) { _ in () }.embedded
    }

    /// Encodes `firstPass`, then passes of waiting questions until none wait, then retires.
    private func runWorker(firstPass: [Waiter]) async {
        var pass = firstPass
        while true {
            await encode(pass)
            guard let following = takePass() else { return }
            pass = following
        }
    }

    /// One encoder pass on the thread pool, then each waiter's follow-up work there, in order
    /// (or, when the pool has stopped because the process is shutting down, a refusal for each).
    private func encode(_ pass: [Waiter]) async {
        do {
            try await BlockingWork.run {
                let tokenIDs = pass.map(\.tokenIDs)
                var encodings: [TextEncoding] = []
                let duration = ContinuousClock().measure { encodings = pass[0].embedder.encode(tokenIDs: tokenIDs) }
                self.state.withLock { state in
                    state.passCount += 1
                    state.questionCount += pass.count
                }
                for (waiter, encoding) in zip(pass, encodings) {
                    waiter.finish(.success(Embedded(encoding: encoding, passDuration: duration, passQuestionCount: pass.count)))
                }
            }
        } catch {
            for waiter in pass { waiter.finish(.failure(.overloaded(retryAfterSeconds: 1))) }
        }
    }

    /// The next pass: waiters from the front of the queue, within the limits, all of one model
    /// folder; those that waited past the deadline are refused on the way. A worker takes at most
    /// its share of the queue (the waiters over the workers), so the other cores get passes too:
    /// one pass of everything would leave them idle. Nil (and the worker retired) when none wait.
    private func takePass() -> [Waiter]? {
        let now = ContinuousClock.now
        var expired: [Waiter] = []
        let pass: [Waiter]? = state.withLock { state in
            let share = (state.waiters.count + workerCount - 1) / workerCount
            let questionLimit = max(1, min(batchLimit, share))
            var pass: [Waiter] = []
            var tokenCount = 0
            var taken = 0
            for waiter in state.waiters {
                if now - waiter.enqueuedAt > queueTimeout {
                    expired.append(waiter)
                    taken += 1
                    continue
                }
                if let first = pass.first {
                    let fits = pass.count < questionLimit && tokenCount + waiter.tokenIDs.count <= passTokenLimit
                    guard fits, waiter.embedder.folder == first.embedder.folder,
                          waiter.embedder.encoder.precision == first.embedder.encoder.precision else { break }
                }
                pass.append(waiter)
                tokenCount += waiter.tokenIDs.count
                taken += 1
            }
            state.waiters.removeFirst(taken)
            if pass.isEmpty {
                state.runningWorkers -= 1
                return nil
            }
            return pass
        }
        for waiter in expired { waiter.finish(.failure(.overloaded(retryAfterSeconds: 1))) }
        return pass
    }
}
