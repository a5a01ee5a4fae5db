import Hummingbird
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics, in a registry of its own (not the process-wide
/// MetricsSystem, so several servers in one test process keep separate counts).
package final class ServerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    private let requestDurationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
    package let embedDuration: DurationHistogram
    package let searchDuration: DurationHistogram
    package let residentMemory: Gauge
    package let memoryLimit: Gauge
    package let reloads: Counter
    package let failedReloads: Counter
    package let cacheHits: Counter
    package let cacheMisses: Counter
    package let inFlightRequests: Gauge
    package let memoryTrims: Counter
    private let inFlight = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)

    package init() {
        embedDuration = registry.makeDurationHistogram(
            descriptor: Self.name("embed_duration", "seconds", "Time to embed a question (cache misses only)."),
            buckets: requestDurationBuckets)
        searchDuration = registry.makeDurationHistogram(
            descriptor: Self.name("search_duration", "seconds", "Time to scan the vectors and assemble the results."),
            buckets: requestDurationBuckets)
        residentMemory = registry.makeGauge(descriptor: Self.name("resident_memory", "bytes", "Resident set size of the process."))
        memoryLimit = registry.makeGauge(descriptor: Self.name("memory_limit", "bytes", "The memory limit shedding is based on (0: none)."))
        reloads = registry.makeCounter(descriptor: Self.name("reloads", "total", "Artifacts swapped in by a reload."))
        failedReloads = registry.makeCounter(descriptor: Self.name("reload_failures", "total", "Reloads refused because the new file failed verification."))
        cacheHits = registry.makeCounter(descriptor: Self.name("embedding_cache_hits", "total", "Questions answered from the embedding cache."))
        cacheMisses = registry.makeCounter(descriptor: Self.name("embedding_cache_misses", "total", "Questions that needed the model."))
        inFlightRequests = registry.makeGauge(descriptor: Self.name("requests_in_flight", "", "Requests being handled now."))
        memoryTrims = registry.makeCounter(descriptor: Self.name("memory_trims", "total", "Times free memory was handed back to the system after a burst."))
        // Registered up front so they appear (as 0) before the first event.
        for reason in ["overloaded", "memory_pressure"] { _ = shedCounter(reason) }
    }

    /// "policyd_<name>_<unit>".
    private static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "policyd", metricName: name, unitName: unit, helpText: help)
    }

    package var inFlightCount: Int { inFlight.load(ordering: .relaxed) }

    /// Requests finished since the start.
    package var finishedCount: Int { finished.load(ordering: .relaxed) }

    /// One finished request: counted by route, method and status, timed by route.
    package func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("http_requests", "total", "HTTP requests by route, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", "seconds", "HTTP request latency by route."),
                                       labels: [("route", route)], buckets: requestDurationBuckets).record(duration)
    }

    package func shedCounter(_ reason: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("requests_shed", "total", "Requests refused with 503 to protect the process."),
                             labels: [("reason", reason)])
    }

    package func requestStarted() { inFlightRequests.set(Double(inFlight.add(1, ordering: .relaxed).newValue)) }
    package func requestFinished() {
        inFlightRequests.set(Double(inFlight.subtract(1, ordering: .relaxed).newValue))
        finished.add(1, ordering: .relaxed)
    }
}

/// Counts and times every request (after errors became responses, so statuses are the real ones).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.requestStarted()
        defer { metrics.requestFinished() }
        let response = try await next(request, context)
        // The matched route's pattern ("/v1/documents/**"), never the raw path: bounded label values.
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code,
                              duration: ContinuousClock.now - start)
        return response
    }
}
