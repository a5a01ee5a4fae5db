import Answering
import IndexFormat

/// `GET /v1/status`: what is being served and how the process is doing.
struct StatusResponse: Encodable {
    struct Artifact: Encodable {
        var path: String
        var digest: String
        var formatVersion: String
        var chunkCount: Int
        var documentCount: Int
        var model: Model
        var compiler: String
    }
    struct Model: Encodable {
        var name: String
        var fingerprint: String
        var dimension: Int
    }
    struct LoadedModel: Encodable {
        var folder: String
        /// not_requested, loading, loaded, mismatch or failed.
        var state: String
        var fingerprint: String?
        var problem: String?
    }
    struct Memory: Encodable {
        var residentBytes: Int?
        var limitBytes: Int?
        var limitSource: String
        var highWaterBytes: Int?
        var criticalBytes: Int?
    }
    struct Work: Encodable {
        var inFlightRequests: Int
        /// Encoder passes running now (each embeds one or more questions) and questions waiting.
        var embeddingsRunning: Int
        var embeddingsWaiting: Int
        var embeddingSlots: Int
        var queueCapacity: Int
        /// Searches (vector scans) running and waiting for a slot.
        var searchesRunning: Int
        var searchesWaiting: Int
        /// Encoder passes and questions embedded since the start: their ratio is the mean batch.
        var embeddingPasses: Int
        var questionsEmbedded: Int
    }
    struct Cache: Encodable {
        var entries: Int
        var capacity: Int
        var hits: Int
        var misses: Int
    }
    /// How chat answers: through the configured language model, or extractively without one.
    struct Answering: Encodable {
        /// llm or extractive.
        var mode: String
        /// The completions endpoint without userinfo or query (never the key), and the model name.
        var endpoint: String?
        var model: String?
        var apiKey: String?
        var connectTimeoutSeconds: Double?
        var firstTokenTimeoutSeconds: Double?
        var totalTimeoutSeconds: Double?
    }
    struct Reload: Encodable {
        var generation: Int
        var failedReloads: Int
        var lastError: String?
    }

    var version: String
    var uptimeSeconds: Double
    var artifact: Artifact
    var model: LoadedModel
    var memory: Memory
    var work: Work
    var embeddingCache: Cache
    var answering: Answering
    var reload: Reload

    init(_ state: ServerState) {
        let served = state.store.current
        let header = served.reader.header
        version = DaemonVersion.current
        uptimeSeconds = state.uptimeSeconds
        artifact = Artifact(
            path: served.path, digest: served.digest, formatVersion: "\(header.majorVersion).\(header.minorVersion)",
            chunkCount: served.chunkCount, documentCount: served.documents.count,
            model: Model(name: served.manifest.model.name, fingerprint: served.manifest.model.fingerprint,
                         dimension: served.manifest.model.dimension),
            compiler: "\(served.manifest.compiler.name) \(served.manifest.compiler.version)")
        let expected = served.manifest.model.fingerprint
        switch state.model.currentState {
        case .notRequested: model = LoadedModel(folder: state.model.folder, state: "not_requested")
        case .loading: model = LoadedModel(folder: state.model.folder, state: "loading")
        case .failed(let error): model = LoadedModel(folder: state.model.folder, state: "failed", problem: error.description)
        case .loaded(let loaded):
            let problem = state.model.problem(expectedFingerprint: expected)
            model = LoadedModel(folder: state.model.folder, state: problem == nil ? "loaded" : "mismatch",
                                fingerprint: loaded.fingerprint, problem: problem?.description)
        }
        memory = Memory(residentBytes: state.memoryGuard.residentByteCount, limitBytes: state.memoryGuard.limitByteCount,
                        limitSource: state.memoryGuard.limitSource, highWaterBytes: state.memoryGuard.highWaterByteCount,
                        criticalBytes: state.memoryGuard.criticalByteCount)
        let limiter = state.limiter.snapshot
        let batcher = state.batcher.snapshot
        work = Work(inFlightRequests: state.metrics.inFlightCount, embeddingsRunning: batcher.runningPasses,
                    embeddingsWaiting: batcher.waiting, embeddingSlots: state.batcher.workerCount,
                    queueCapacity: state.batcher.queueLength, searchesRunning: limiter.running, searchesWaiting: limiter.waiting,
                    embeddingPasses: batcher.passCount, questionsEmbedded: batcher.questionCount)
        let statistics = state.cache.statistics
        embeddingCache = Cache(entries: statistics.entryCount, capacity: state.cache.capacity,
                               hits: statistics.hitCount, misses: statistics.missCount)
        if let settings = state.chatClient?.settings {
            answering = Answering(mode: "llm", endpoint: settings.redactedCompletionsURL, model: settings.model,
                                  apiKey: settings.apiKey == nil ? "none" : "set",
                                  connectTimeoutSeconds: settings.connectTimeoutSeconds,
                                  firstTokenTimeoutSeconds: settings.firstTokenTimeoutSeconds,
                                  totalTimeoutSeconds: settings.totalTimeoutSeconds)
        } else {
            answering = Answering(mode: "extractive")
        }
        let reloadStatus = state.store.reloadStatus
        reload = Reload(generation: served.generation, failedReloads: reloadStatus.failedReloadCount, lastError: reloadStatus.lastError)
    }
}
