import Answering
import IndexFormat
import Logging

/// Everything the routes share, built once per server.
package struct ServerState: Sendable {
    package let configuration: ServerConfiguration
    package let store: ArtifactStore
    package let model: QuestionModel
    package let cache: QuestionVectorCache
    package let batcher: QuestionBatcher
    package let limiter: EmbeddingLimiter
    package let memoryGuard: MemoryGuard
    package let metrics: ServerMetrics
    /// The language model's client, when `LLM_BASE_URL` configured one; else chat is extractive.
    package let chatClient: ChatCompletionClient?
    package let startedAt: ContinuousClock.Instant
    package let logger: Logger

    /// Maps and verifies the artifact (header, table, section checksums; the digest too with
    /// `verifiesDigestAtStart`). The model's weights are not touched until the first question; its
    /// files' fingerprint is computed in the background from now on.
    package init(configuration: ServerConfiguration, logger: Logger, startedAt: ContinuousClock.Instant = .now) throws(ArtifactError) {
        self.configuration = configuration
        self.logger = logger
        self.startedAt = startedAt
        store = try ArtifactStore(path: configuration.artifactPath, verifiesDigest: configuration.verifiesDigestAtStart)
        model = QuestionModel(folder: configuration.modelFolder, logger: logger)
        // Only once the artifact is good: a process that exits at once must not leave a thread
        // hashing with libcrypto while exit() tears libcrypto down (that crashed with SIGSEGV).
        model.startFingerprinting()   // on another core while the server binds
        cache = QuestionVectorCache(capacity: configuration.limits.embeddingCacheCapacity)
        let limits = configuration.limits
        batcher = QuestionBatcher(workerCount: limits.concurrentEmbeddingCount, batchLimit: limits.embeddingBatchLimit,
                                  passTokenLimit: limits.embeddingPassTokenLimit, queueLength: limits.embeddingQueueLength,
                                  queueTimeout: .milliseconds(Int(limits.embeddingQueueTimeoutSeconds * 1000)))
        limiter = EmbeddingLimiter(slotCount: configuration.limits.concurrentEmbeddingCount,
                                   queueLength: configuration.limits.embeddingQueueLength,
                                   queueTimeout: .milliseconds(Int(configuration.limits.embeddingQueueTimeoutSeconds * 1000)))
        memoryGuard = MemoryGuard(limits: configuration.limits)
        metrics = ServerMetrics()
        chatClient = configuration.languageModel.map { ChatCompletionClient(settings: $0) }
        metrics.memoryLimit.set(Double(memoryGuard.limitByteCount ?? 0))
    }

    var searchService: SearchService {
        SearchService(store: store, model: model, cache: cache, batcher: batcher, limiter: limiter, memoryGuard: memoryGuard, metrics: metrics)
    }

    var chatService: ChatService {
        ChatService(search: searchService, client: chatClient,
                    promptTokenBudget: configuration.languageModel?.promptTokenBudget ?? 1_500, metrics: metrics, logger: logger)
    }

    var uptimeSeconds: Double { Milliseconds.since(startedAt) / 1000 }
}
