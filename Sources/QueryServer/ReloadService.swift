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
