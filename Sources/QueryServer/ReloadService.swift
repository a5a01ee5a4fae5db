import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the artifact on every SIGHUP until graceful shutdown begins.
struct ReloadService: Service {
    let state: ServerState

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await Self.reload(state)
        }
    }

    /// One reload, off the request threads; counted in the metrics either way.
    static func reload(_ state: ServerState) async {
        state.logger.notice("reloading the artifact", metadata: ["path": "\(state.store.path)"])
        let result = try? await BlockingWork.run { state.store.reload(logger: state.logger) }
        switch result {
        case .success?: state.metrics.reloads.increment()
        case .failure?, nil: state.metrics.failedReloads.increment()
        }
    }
}

/// Logs the moment graceful shutdown begins. Listed last in the daemon's service group, so it is
/// told first: services shut down in reverse order, and the server's quiescing takes the grace period.
struct ShutdownNotice: Service {
    let state: ServerState

    func run() async throws {
        guard (try? await gracefulShutdown()) != nil else { return }   // cancelled: no graceful shutdown
        state.logger.notice("shutting down: no new connections; requests in flight may finish", metadata: [
            "grace_seconds": "\(state.configuration.limits.shutdownGraceSeconds)"])
    }
}
