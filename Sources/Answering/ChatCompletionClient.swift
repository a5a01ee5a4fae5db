import NIOPosix
import Synchronization

/// A client for any OpenAI-compatible `/v1/chat/completions` endpoint (OpenRouter, Groq, OpenAI,
/// a llama.cpp server, Ollama), over libcurl.
///
/// Transfers block, so they run on a small thread pool of the client's own, never on the server's
/// event loops or the Swift concurrency pool; when every thread is busy a request fails at once
/// with `.busy` (the caller answers without the model) instead of queueing past its deadline.
/// Deadlines: connect, first answer text, total. One retry on 429 and 5xx, after `Retry-After`
/// (or a short backoff), when it fits within the total deadline and nothing was streamed yet.
public final class ChatCompletionClient: Sendable {
    public let settings: LLMSettings
    private let pool: NIOThreadPool
    private let inFlight = Atomic<Int>(0)

    public struct Completion: Sendable, Equatable {
        public var text: String
        /// The model the endpoint says answered (may differ from the one asked for).
        public var model: String?
        public var attemptCount: Int
    }

    /// nil when libcurl, which every request goes through, is loaded and set up; else what went
    /// wrong and what to do. The first call loads it (policyd asks at start when a model is set,
    /// so that a missing library stops it there rather than at the first question).
    public static var transportProblem: String? { CurlTransfer.loadProblem }

    public init(settings: LLMSettings) {
        self.settings = settings
        pool = NIOThreadPool(numberOfThreads: max(1, settings.concurrentRequestCount))
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// Asks for a completion of `messages`. With `stream`, asks for Server-Sent Events and hands
    /// each piece of answer text to `onText` as it arrives (on a client thread); without, the
    /// whole text arrives in one `onText` call at the end. Returns the full text.
    public func complete(_ messages: [ChatMessage], stream: Bool,
                         onText: @escaping @Sendable (String) -> Void = { _ in }) async throws(AnswerError) -> Completion {
        guard inFlight.add(1, ordering: .relaxed).newValue <= max(1, settings.concurrentRequestCount) else {
            inFlight.subtract(1, ordering: .relaxed)
            throw .busy
        }
        defer { inFlight.subtract(1, ordering: .relaxed) }
        let cancelled = CancellationFlag()
        let settings = self.settings
        let outcome: Result<Completion, AnswerError>
        do {
            outcome = try await withTaskCancellationHandler {
                try await pool.runIfActive {
                    Exchange(settings: settings, messages: messages, stream: stream, cancelled: cancelled, onText: onText).run()
                }
            } onCancel: {
                cancelled.set()
            }
        } catch {
            throw .cancelled
        }
        return try outcome.get()
    }
}

/// Set from any thread when the asking task is cancelled; read by the transfer's progress checks.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
