import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import QueryServer

@main
struct PolicyDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policyd",
        abstract: "Serve search over a policy index artifact on HTTP.",
        discussion: """
            Maps the artifact and checks its header, section table and every section's checksum, \
            then listens. The embedding model is mapped on the first question, and its fingerprint \
            must equal the artifact's. SIGHUP reloads the artifact, and so does a change to the file \
            (checked every --watch-seconds); a new file is verified fully, a bad one is refused and \
            the old one keeps serving; SIGTERM stops accepting and lets requests in \
            flight finish.

            Every option can also be set by environment: PORT, POLICYD_HOST, POLICYD_ARTIFACT, \
            POLICYD_MODEL, POLICYD_VERIFY_FULL=1, POLICYD_WATCH_SECONDS, POLICYD_MEMORY_LIMIT_MB, POLICYD_BODY_TIMEOUT_SECONDS, \
            POLICYD_EMBEDDING_BATCH, \
            POLICYD_LOG_LEVEL. \
            A flag on the command line wins over the environment.

            POST /v1/chat asks a language model when LLM_BASE_URL (an OpenAI-compatible /v1 \
            endpoint) and LLM_MODEL are set, with LLM_API_KEY if it needs one (environment only; \
            never logged); optional LLM_CONNECT_TIMEOUT_SECONDS (3), LLM_FIRST_TOKEN_TIMEOUT_SECONDS \
            (10), LLM_TOTAL_TIMEOUT_SECONDS (30), LLM_MAX_TOKENS (400), LLM_PROMPT_TOKENS (1500). \
            Without them, chat answers by quoting the best passages.

            Exit codes:
              0  shut down cleanly after SIGTERM or SIGINT
              1  the artifact is missing, damaged or unreadable (the message says which)
              2  the server could not start (the port is taken, the address is invalid, or
                 LLM_BASE_URL is set and libcurl cannot be loaded)
             64  usage error
            """,
        version: DaemonVersion.current)

    @Option(help: ArgumentHelp("The artifact to serve (env POLICYD_ARTIFACT).", valueName: "file"))
    var artifact: String?

    @Option(help: ArgumentHelp("The embedding model folder (env POLICYD_MODEL).", valueName: "dir"))
    var model: String?

    @Option(help: ArgumentHelp("Address to listen on (env POLICYD_HOST; default 0.0.0.0).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on (env PORT; default 8080; 0 picks a free one).", valueName: "port"))
    var port: Int?

    @Flag(help: "Also check the artifact's SHA-256 trailer at start (env POLICYD_VERIFY_FULL=1).")
    var verifyFull = false

    @Option(help: ArgumentHelp("Seconds between checks for a changed artifact file; 0 reloads only on SIGHUP (env POLICYD_WATCH_SECONDS; default 2).", valueName: "seconds"))
    var watchSeconds: Double?

    @Option(help: ArgumentHelp("Memory limit for shedding when the cgroup sets none (env POLICYD_MEMORY_LIMIT_MB).", valueName: "MiB"))
    var memoryLimitMb: Int?

    @Option(help: ArgumentHelp("Seconds a request body may take to arrive (env POLICYD_BODY_TIMEOUT_SECONDS; default 10).", valueName: "seconds"))
    var bodyTimeoutSeconds: Double?

    @Option(help: ArgumentHelp("Most questions embedded in one encoder pass when several wait; 1 embeds each alone (env POLICYD_EMBEDDING_BATCH; default 2).", valueName: "count"))
    var embeddingBatch: Int?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning or error (env POLICYD_LOG_LEVEL; default info).", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        let startedAt = ContinuousClock.now
        // Before the server's threads start: two arenas for the whole process (MallocTuning says why).
        MallocTuning.limitArenas(to: 2)
        let environment = Environment()
        var configuration = ServerConfiguration(
            artifactPath: artifact ?? environment["POLICYD_ARTIFACT"] ?? "artifacts/policies.pidx",
            modelFolder: model ?? environment["POLICYD_MODEL"] ?? "models/all-MiniLM-L6-v2")
        configuration.host = host ?? environment["POLICYD_HOST"] ?? "0.0.0.0"
        let environmentPort = try environment.integer("PORT")
        let port = port ?? environmentPort ?? 8080
        guard (0...65535).contains(port) else {
            throw ValidationError("the port must be from 0 to 65535")
        }
        configuration.port = port
        configuration.verifiesDigestAtStart = verifyFull || environment["POLICYD_VERIFY_FULL"] == "1"
        let environmentLimit = try environment.integer("POLICYD_MEMORY_LIMIT_MB")
        if let megabytes = memoryLimitMb ?? environmentLimit {
            configuration.limits.fallbackMemoryLimitByteCount = megabytes * 1_048_576
        }
        let environmentBodyTimeout = try environment.number("POLICYD_BODY_TIMEOUT_SECONDS")
        if let seconds = bodyTimeoutSeconds ?? environmentBodyTimeout {
            guard seconds > 0 else { throw ValidationError("the body timeout must be above 0 seconds") }
            configuration.limits.bodyTimeoutSeconds = seconds
        }
        let environmentBatch = try environment.integer("POLICYD_EMBEDDING_BATCH")
        if let count = embeddingBatch ?? environmentBatch {
            guard count >= 1 else { throw ValidationError("--embedding-batch must be 1 or more") }
            configuration.limits.embeddingBatchLimit = count
        }
        let environmentWatch = try environment.number("POLICYD_WATCH_SECONDS")
        if let seconds = watchSeconds ?? environmentWatch {
            guard seconds >= 0, seconds.isFinite else { throw ValidationError("--watch-seconds must be 0 (off) or more") }
            configuration.watchIntervalSeconds = seconds
        }
        do {
            try configuration.readLanguageModel(fromEnvironment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let levelName = logLevel ?? environment["POLICYD_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else { throw ValidationError("unknown log level '\(levelName)'") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "policyd")

        let daemon: PolicyDaemon
        do {
            daemon = try PolicyDaemon(configuration: configuration, logger: logger, startedAt: startedAt)
        } catch {
            logger.critical("cannot serve \(configuration.artifactPath): \(error)")
            throw ExitCode(1)
        }
        if let problem = configuration.languageModelTransportProblem {
            logger.critical("cannot ask the language model: \(problem)")
            throw ExitCode(2)
        }
        do {
            try await daemon.run()
        } catch {
            logger.critical("the server stopped: \(error)")
            throw ExitCode(2)
        }
    }
}

/// Environment variables, where every option can also come from (hosting platforms set PORT).
struct Environment {
    private let values = ProcessInfo.processInfo.environment

    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String) throws -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name)=\(text) is not an integer") }
        return value
    }

    func number(_ name: String) throws -> Double? {
        guard let text = self[name] else { return nil }
        guard let value = Double(text) else { throw ValidationError("\(name)=\(text) is not a number") }
        return value
    }
}
