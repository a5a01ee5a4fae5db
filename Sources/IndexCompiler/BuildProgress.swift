import Foundation

/// How far a build has got, as the pipeline reports it.
public struct BuildProgress: Equatable, Sendable {
    public var fileCount: Int
    public var chunkCount: Int
    /// Chunks done so far: embedded now plus found in the cache.
    public var embeddedCount: Int
    public var cachedCount: Int
    public var elapsedSeconds: Double

    public init(fileCount: Int, chunkCount: Int, embeddedCount: Int, cachedCount: Int, elapsedSeconds: Double) {
        self.fileCount = fileCount
        self.chunkCount = chunkCount
        self.embeddedCount = embeddedCount
        self.cachedCount = cachedCount
        self.elapsedSeconds = elapsedSeconds
    }

    public var doneCount: Int { embeddedCount + cachedCount }

    /// Seconds left at the embedding rate so far (cache hits cost nothing), nil before any embedding.
    public var secondsLeft: Double? {
        guard embeddedCount > 0, elapsedSeconds > 0 else { return nil }
        return Double(chunkCount - doneCount) * elapsedSeconds / Double(embeddedCount)
    }
}

/// Shows progress on standard error: a bar redrawn in place on a terminal, plain lines at most
/// every few seconds elsewhere (CI logs), nothing with `quiet`.
public final class ProgressPrinter: @unchecked Sendable {
    public enum Style: Sendable { case bar, lines, quiet }

    public let style: Style
    private var lastLineSeconds = -Double.infinity
    private let lineIntervalSeconds: Double
    private let write: @Sendable (String) -> Void

    /// A bar when standard error is a terminal, else lines.
    public static func forStandardError(quiet: Bool) -> ProgressPrinter {
        let style: Style = quiet ? .quiet : (isatty(2) == 1 ? .bar : .lines)
        return ProgressPrinter(style: style) { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    public init(style: Style, lineIntervalSeconds: Double = 5, write: @escaping @Sendable (String) -> Void) {
        self.style = style
        self.lineIntervalSeconds = lineIntervalSeconds
        self.write = write
    }

    public func report(_ progress: BuildProgress) {
        switch style {
        case .quiet:
            return
        case .bar:
            write("\r\u{1B}[2K" + Self.barLine(progress))
        case .lines:
            let isLast = progress.doneCount == progress.chunkCount
            guard isLast || progress.elapsedSeconds - lastLineSeconds >= lineIntervalSeconds else { return }
            lastLineSeconds = progress.elapsedSeconds
            write(Self.plainLine(progress) + "\n")
        }
    }

    /// Ends the bar's line so the summary starts on a fresh one.
    public func finish() {
        if style == .bar { write("\n") }
    }

    static func barLine(_ progress: BuildProgress) -> String {
        let width = 24
        let fraction = progress.chunkCount == 0 ? 1 : Double(progress.doneCount) / Double(progress.chunkCount)
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "[\(bar)] \(progress.doneCount)/\(progress.chunkCount) chunks from \(progress.fileCount) files · "
            + "\(progress.embeddedCount) embedded, \(progress.cachedCount) cached · \(timeLeft(progress))"
    }

    static func plainLine(_ progress: BuildProgress) -> String {
        "embedding: \(progress.doneCount)/\(progress.chunkCount) chunks (\(progress.embeddedCount) embedded, "
            + "\(progress.cachedCount) cached) from \(progress.fileCount) files, \(timeLeft(progress))"
    }

    static func timeLeft(_ progress: BuildProgress) -> String {
        if progress.doneCount == progress.chunkCount { return "done in \(duration(progress.elapsedSeconds))" }
        guard let seconds = progress.secondsLeft else { return "estimating time left" }
        return "about \(duration(seconds)) left"
    }

    /// 75 → "1m15s", 4.2 → "4.2s".
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return "\(Double(Int(seconds * 10)) / 10)s" }
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole)s" : "\(whole / 60)m\(String(format2: whole % 60))s"
    }
}

private extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
