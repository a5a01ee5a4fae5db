import Embeddings
import Hummingbird
import IndexFormat
import Logging
import NIOCore
import ServiceLifecycle

/// The whole daemon: verifies the artifact, binds, serves, reloads on SIGHUP or when the file changes, and on SIGTERM
/// stops accepting and lets in-flight requests finish within the grace period.
public struct PolicyDaemon: Sendable {
    package let state: ServerState

    /// Maps and checks the artifact (nothing is bound yet). Throws what is wrong with it.
    public init(configuration: ServerConfiguration, logger: Logger, startedAt: ContinuousClock.Instant = .now) throws(ArtifactError) {
        state = try ServerState(configuration: configuration, logger: logger, startedAt: startedAt)
    }

    /// The Hummingbird application, for tests (`app.test(.router)`) and for `run`.
    package func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let configuration = state.configuration
        var services: [any Service] = [ReloadService(state: state)]
        if configuration.watchIntervalSeconds > 0 {
            services.append(ArtifactWatchService(state: state, interval: .milliseconds(Int64(configuration.watchIntervalSeconds * 1000))))
        }
        if configuration.limits.memoryTrimIntervalSeconds > 0 {
            services.append(MemoryTrimService(state: state, interval: .milliseconds(Int64(configuration.limits.memoryTrimIntervalSeconds * 1000))))
        }
        let idleTimeout = TimeAmount.milliseconds(Int64(configuration.limits.idleTimeoutSeconds * 1000))
        return Application(
            router: APIRoutes(state: state).makeRouter(),
            server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: state.logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully within the grace period.
    /// `onReady` receives the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let logger = state.logger
        let startedAt = state.startedAt
        let artifact = state.store.current
        let application = makeApplication { port in
            logger.notice("ready", metadata: [
                "port": "\(port)", "artifact": "\(artifact.path)", "chunks": "\(artifact.chunkCount)",
                "digest": "\(artifact.digest)", "llm": "\(state.configuration.languageModelSummary)", "startup_ms": "\(Milliseconds.since(startedAt))"])
            await onReady(port)
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: application), .init(service: ShutdownNotice(state: state))], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int(state.configuration.limits.shutdownGraceSeconds * 1000))
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            await state.model.finishBackgroundWork()
            throw error
        }
        await state.model.finishBackgroundWork()
        logger.notice("stopped", metadata: ["uptime_seconds": "\(state.uptimeSeconds)"])
    }
}
