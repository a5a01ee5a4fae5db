/// Durations as the API and the logs show them: milliseconds with two decimals.
enum Milliseconds {
    static func of(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1_000 + Double(attoseconds) / 1e15
        return (value * 100).rounded() / 100
    }

    static func since(_ start: ContinuousClock.Instant) -> Double {
        of(ContinuousClock.now - start)
    }
}
