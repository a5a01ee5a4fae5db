import Answering

/// Everything `policyd` can be told: where the files are, where to listen, and the limits.
public struct ServerConfiguration: Sendable {
    public var artifactPath: String
    public var modelFolder: String
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port: Int = 8080
    /// Also check the artifact's SHA-256 trailer at start (reloads always check it).
    public var verifiesDigestAtStart = false
    /// How often to check whether the artifact file changed, and reload it if so (0: only on SIGHUP).
    public var watchIntervalSeconds: Double = 2
    public var limits = Limits()
    /// The OpenAI-compatible endpoint `/v1/chat` asks; nil answers extractively.
    public var languageModel: LLMSettings?

    public init(artifactPath: String, modelFolder: String) {
        self.artifactPath = artifactPath
        self.modelFolder = modelFolder
    }
}

extension ServerConfiguration {
    /// Sets `languageModel` from `LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY` and the optional
    /// `LLM_*` deadlines in `environment`. Throws a message (never containing the key) for bad values.
    public mutating func readLanguageModel(fromEnvironment environment: [String: String]) throws {
        languageModel = try LLMSettings.fromEnvironment(environment)
    }

    /// nil when no language model is set, or when libcurl, which chat asks it through, loads (the
    /// first call opens it); else why it does not and what to do. Says nothing of the endpoint.
    public var languageModelTransportProblem: String? {
        languageModel == nil ? nil : ChatCompletionClient.transportProblem
    }

    /// The model and where it is, for the start-up log line (never the key).
    public var languageModelSummary: String {
        languageModel.map(\.description) ?? "none: chat answers are extractive (set LLM_BASE_URL and LLM_MODEL)"
    }
}

/// The bounds that keep one small process responsive under load and bad input.
public struct Limits: Sendable {
    /// Largest request body read, in bytes.
    public var maximumBodyByteCount = 16 * 1024
    /// Longest question, in characters (the model reads at most 256 tokens anyway).
    public var maximumQueryCharacterCount = 2_000
    /// Time allowed for a request body to arrive once the headers have.
    public var bodyTimeoutSeconds: Double = 10
    /// Connections with nothing to read for this long are closed.
    public var idleTimeoutSeconds: Double = 60
    /// Embedding passes run at once (each followed by its questions' searches), and, separately,
    /// searches of questions found in the cache: the cores.
    public var concurrentEmbeddingCount = SystemInfo.processorCount
    /// Most questions embedded in one encoder pass when several wait (`QuestionBatcher`). Two
    /// take most of the gain: a question is about 20 rows, and the bfloat16 kernel's blocks hold
    /// 24, so a second question reuses the weights from cache; larger passes cut no more CPU and
    /// make waiting questions wait longer (docs/BENCHMARKS.md, "Serving").
    public var embeddingBatchLimit = 2
    /// Most tokens in one pass (a longer question still goes, alone): one full-length question's
    /// worth, so a batch needs no more memory than the longest single question.
    public var embeddingPassTokenLimit = 256
    /// Questions allowed to wait for an embedding pass (and cached ones for a search slot); more
    /// are shed with 503. 64 per core: a full
    /// queue drains in about 64 × 7 ms ≈ 0.5 s, well inside the wait deadline, so 64 busy clients
    /// are served rather than refused (32 in all made wrk's 64 connections 96% 503s, and each quick
    /// refusal was followed by another request at once).
    public var embeddingQueueLength = 64 * SystemInfo.processorCount
    /// How long a request may wait for a slot before it is shed with 503.
    public var embeddingQueueTimeoutSeconds: Double = 2
    /// Recent question embeddings kept (about 1.6 KB each for 384 dimensions).
    public var embeddingCacheCapacity = 1_024
    /// Memory limit when the cgroup has none (0: no limit, no shedding).
    public var fallbackMemoryLimitByteCount = 0
    /// Above this fraction of the memory limit, searches are shed with 503.
    public var highWaterFraction = 0.85
    /// Above this fraction, everything but /health and /ready is shed.
    public var criticalFraction = 0.95
    /// How often to look for the end of a burst of requests, after which free memory is handed
    /// back to the system (`MemoryTrimService`); 0 never trims.
    public var memoryTrimIntervalSeconds: Double = 1
    /// After SIGTERM, in-flight requests get this long to finish.
    public var shutdownGraceSeconds: Double = 10
    public var k: ClosedRange<Int> = 1...50
    public var defaultK = 5

    public init() {}
}
