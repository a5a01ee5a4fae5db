import Synchronization

/// Sheds work before the container's memory limit is reached: above the high-water mark,
/// expensive requests (searches) get 503 with `Retry-After`; above the critical mark, everything
/// but health checks does.
///
/// The limit is the cgroup's (`memory.max`, or v1's `memory.limit_in_bytes`), else the configured
/// fallback; with neither, nothing is shed. Resident memory is sampled at most every 50 ms.
package final class MemoryGuard: Sendable {
    package enum Cost: Sendable {
        /// /health, /ready and /metrics: always answered (metrics matter most under pressure).
        case probe
        /// Cheap reads (status, documents): shed above the critical mark.
        case cheap
        /// Embedding and search: shed above the high-water mark.
        case expensive
    }

    package let limitByteCount: Int?
    package let limitSource: String
    package let highWaterByteCount: Int?
    package let criticalByteCount: Int?
    private let sampler: @Sendable () -> Int?
    private let lastSample = Mutex<(at: ContinuousClock.Instant, byteCount: Int?)?>(nil)

    /// - Parameter residentByteCount: reads resident memory (tests substitute their own).
    package init(limits: Limits, cgroupRoot: String = "/sys/fs/cgroup",
                 residentByteCount: @escaping @Sendable () -> Int? = SystemInfo.residentByteCount) {
        if let limit = SystemInfo.memoryLimit(root: cgroupRoot) {
            limitByteCount = limit.byteCount
            limitSource = limit.source
        } else if limits.fallbackMemoryLimitByteCount > 0 {
            limitByteCount = limits.fallbackMemoryLimitByteCount
            limitSource = "--memory-limit"
        } else {
            limitByteCount = nil
            limitSource = "none"
        }
        highWaterByteCount = limitByteCount.map { Int(Double($0) * limits.highWaterFraction) }
        criticalByteCount = limitByteCount.map { Int(Double($0) * limits.criticalFraction) }
        sampler = residentByteCount
    }

    /// Resident memory now (cached for 50 ms).
    package var residentByteCount: Int? {
        let now = ContinuousClock.now
        if let sample = lastSample.withLock({ $0 }), now - sample.at < .milliseconds(50) { return sample.byteCount }
        let value = sampler()
        lastSample.withLock { $0 = (now, value) }
        return value
    }

    /// Throws `.memoryPressure` when a request of `cost` should be shed now.
    package func admit(_ cost: Cost) throws(QueryError) {
        guard cost != .probe, let resident = residentByteCount else { return }
        let threshold: Int? = switch cost {
        case .probe: nil
        case .cheap: criticalByteCount
        case .expensive: highWaterByteCount
        }
        if let threshold, resident > threshold {
            throw .memoryPressure(residentByteCount: resident, thresholdByteCount: threshold, retryAfterSeconds: 5)
        }
    }
}
