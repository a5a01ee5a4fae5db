import NIOPosix

/// Runs CPU-bound or blocking work (embedding, scanning vectors, hashing files) on NIO's thread
/// pool, so the threads serving connections and the Swift concurrency pool stay free for
/// health checks and cheap routes.
enum BlockingWork {
    /// `body`'s value; throws `CancellationError` when the task was cancelled before it started.
    static func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async throws -> Value {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
