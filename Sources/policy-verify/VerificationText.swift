import IndexCompiler
import IndexFormat

/// The human report: identity first, then the sections, then every problem.
enum VerificationText {
    static func render(_ report: VerificationReport) -> String {
        var lines = ["policy-verify: \(report.path)"]
        if let version = report.formatVersion, let byteCount = report.byteCount {
            lines.append("  format     v\(version), \(grouped(byteCount)) bytes")
        }
        if let name = report.modelName, let fingerprint = report.modelFingerprint {
            lines.append("  model      \(name) (fingerprint \(fingerprint.prefix(16))…)")
        }
        if let chunks = report.chunkCount, let dimension = report.dimension {
            let documents = report.documentCount.map { " from \(grouped($0)) documents" } ?? ""
            lines.append("  contents   \(grouped(chunks)) chunks of dimension \(dimension)\(documents)")
        }
        if let digest = report.digest, !digest.isEmpty { lines.append("  sha-256    \(digest)") }
        // Names padded to the longest one (at least 12), so the codec column lines up.
        let kindWidth = max(12, report.sections.map { "\($0.kind)".count }.max() ?? 0)
        for (index, section) in report.sections.enumerated() {
            let label = index == 0 ? "  sections   " : "             "
            let raw = section.codec == .raw ? "" : " (\(grouped(section.rawByteCount)) raw)"
            lines.append("\(label)\(pad("\(section.kind)", kindWidth)) \(pad("\(section.codec)", 10)) at byte \(grouped(section.byteOffset)), \(grouped(section.storedByteCount)) bytes\(raw)")
        }
        if report.isValid {
            lines.append("valid: header, section table, section checksums, SHA-256 trailer, LZ4 blocks, vectors and chunk references all check out")
        } else {
            let total = report.problems.count + report.omittedProblemCount
            lines.append("invalid: \(total) problem\(total == 1 ? "" : "s")")
            for (index, problem) in report.problems.enumerated() {
                lines.append("  \(index + 1). \(problem)")
            }
            if report.omittedProblemCount > 0 {
                lines.append("  … and \(report.omittedProblemCount) more of the same kinds (at most \(ArtifactVerifier.problemLimitPerCheck) of each are listed)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The --against part: current, or what changed and how to rebuild.
    static func render(_ freshness: FreshnessReport, sources: String, artifact: String) -> String {
        guard !freshness.isCurrent else { return "current: the artifact matches \(sources)\n" }
        var lines = ["stale: the artifact does not match \(sources)"]
        lines += freshness.changed.map { "  changed  \($0)" }
        lines += freshness.added.map { "  added    \($0)" }
        lines += freshness.removed.map { "  removed  \($0)" }
        lines += (freshness.settingsChanges + freshness.contentDifferences).map { "  \($0)" }
        lines.append("rebuild it: policyc build \(sources) -o \(artifact)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
