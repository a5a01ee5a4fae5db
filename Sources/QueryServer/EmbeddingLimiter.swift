import Synchronization

/// A counting semaphore for the expensive part of a search (embedding and scanning), with a
/// bounded wait queue and a deadline for waiting. Requests beyond both are refused at once, so a
/// burst costs a quick 503 rather than memory and unbounded latency.
package final class EmbeddingLimiter: Sendable {
    package struct Snapshot: Sendable {
        package var running: Int
        package var waiting: Int
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var running = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    package let slotCount: Int
    package let queueLength: Int
    package let queueTimeout: Duration
    private let state = Mutex(State())

    package init(slotCount: Int, queueLength: Int, queueTimeout: Duration) {
        precondition(slotCount >= 1 && queueLength >= 0)
        self.slotCount = slotCount
        self.queueLength = queueLength
        self.queueTimeout = queueTimeout
    }

    package var snapshot: Snapshot { state.withLock { Snapshot(running: $0.running, waiting: $0.waiters.count) } }

    /// Runs `body` holding a slot. Throws `.overloaded` when the queue is full or the wait
    /// passes `queueTimeout`.
    package func withSlot<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async throws(QueryError) {
        enum Decision { case run, refuse, wait(UInt64) }
        let decision: Decision = state.withLock { state in
            if state.running < slotCount, state.waiters.isEmpty {
                state.running += 1
                return .run
            }
            if state.waiters.count >= queueLength { return .refuse }
            state.nextID += 1
            return .wait(state.nextID)
        }
        switch decision {
        case .run: return
        case .refuse: throw .overloaded(retryAfterSeconds: 1)
        case .wait(let id):
            let granted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let parked = state.withLock { state in
                    // A slot may have freed between the decision and now.
                    if state.running < slotCount, state.waiters.isEmpty {
                        state.running += 1
                        return false
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return true
                }
                if !parked { continuation.resume(returning: true); return }
                let timeout = queueTimeout
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(id)
                }
            }
            if !granted { throw .overloaded(retryAfterSeconds: 1) }
        }
    }

    /// Gives the slot to the first waiter, or frees it.
    private func release() {
        let next: Waiter? = state.withLock { state in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst()   // the slot passes on; running stays the same
        }
        next?.continuation.resume(returning: true)
    }

    /// Refuses waiter `id` if it is still waiting when its deadline passes.
    private func expire(_ id: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}
