import Logging
import ServiceLifecycle

/// Gives memory freed by a burst of requests back to the system once the burst is over.
///
/// Every `interval`, if requests finished since the last look but none finished in the last
/// interval and none is running, calls `malloc_trim`: the encoder's buffers and response bodies
/// of a burst leave free blocks that glibc otherwise keeps mapped. Never during steady load, so
/// the trim (about a millisecond) costs no request anything.
struct MemoryTrimService: Service {
    let state: ServerState
    let interval: Duration

    func run() async throws {
        var finishedAtLastLook = state.metrics.finishedCount
        var finishedAtLastTrim = finishedAtLastLook
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return   // shutdown or cancellation
            }
            let finished = state.metrics.finishedCount
            defer { finishedAtLastLook = finished }
            let isIdle = finished == finishedAtLastLook && state.metrics.inFlightCount == 0
            guard isIdle, finished != finishedAtLastTrim else { continue }
            finishedAtLastTrim = finished
            trim()
        }
    }

    /// One trim, counted and logged with what it gave back.
    private func trim() {
        let before = SystemInfo.residentByteCount()
        MallocTuning.releaseFreeMemory()
        let after = SystemInfo.residentByteCount()
        state.metrics.memoryTrims.increment()
        if let before, let after {
            state.logger.debug("returned free memory to the system", metadata: [
                "resident_before_bytes": "\(before)", "resident_after_bytes": "\(after)"])
        }
    }
}
