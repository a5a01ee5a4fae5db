import IndexFormat

/// Whether an artifact is what compiling the sources now would give.
public struct FreshnessReport: Equatable, Sendable {
    /// Sources whose bytes changed, were added, or were removed since the artifact was built.
    public var changed: [String] = []
    public var added: [String] = []
    public var removed: [String] = []
    /// Model, chunking or compiler differences.
    public var settingsChanges: [String] = []
    /// Content differences with the same sources and settings (another machine's build, a bug).
    public var contentDifferences: [String] = []

    public var isCurrent: Bool {
        changed.isEmpty && added.isEmpty && removed.isEmpty && settingsChanges.isEmpty && contentDifferences.isEmpty
    }
}

/// Compares an artifact with freshly built contents: by source hashes and settings first, then,
/// when those agree, record by record (vectors within a tolerance, since another machine's BLAS
/// may round the last bit differently).
public enum ArtifactFreshness {
    /// Largest per-value difference between a stored and a fresh Float16 vector still called equal
    /// (two Float16 rounding steps near 1).
    public static let vectorTolerance: Float = 2e-3

    public static func compare(_ reader: ArtifactReader, with fresh: ArtifactContents) throws(ArtifactError) -> FreshnessReport {
        var report = FreshnessReport()
        let manifest = try reader.manifest()
        let stored = Dictionary(manifest.sources.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        let current = Dictionary(fresh.manifest.sources.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        report.added = current.keys.filter { stored[$0] == nil }.sorted()
        report.removed = stored.keys.filter { current[$0] == nil }.sorted()
        report.changed = current.keys.filter { stored[$0] != nil && stored[$0] != current[$0] }.sorted()

        if manifest.model != fresh.manifest.model {
            func described(_ model: Manifest.Model) -> String {
                "\(model.name) (\(model.fingerprint), \(model.precision ?? "float32"))"
            }
            report.settingsChanges.append("model \(described(manifest.model)) is now \(described(fresh.manifest.model))")
        }
        if manifest.chunking != fresh.manifest.chunking {
            report.settingsChanges.append("chunking settings changed")
        }
        if manifest.compiler != fresh.manifest.compiler {
            report.settingsChanges.append("compiler \(manifest.compiler.version) is now \(fresh.manifest.compiler.version)")
        }
        guard report.isCurrent else { return report }

        if try reader.documents() != fresh.documents { report.contentDifferences.append("document outlines differ") }
        guard reader.chunkCount == fresh.chunks.count, reader.vectors.dimension == fresh.manifest.model.dimension else {
            report.contentDifferences.append("\(reader.chunkCount) chunks stored, \(fresh.chunks.count) built now")
            return report
        }
        let dimension = reader.vectors.dimension
        var differing = 0
        for (index, chunk) in fresh.chunks.enumerated() {
            let record = try reader.chunk(at: index)
            let sameRecord = record.id == chunk.id && record.documentIndex == chunk.documentIndex && record.outlineIndex == chunk.outlineIndex
                && record.tokenCount == chunk.tokenCount && record.sourceCharacterRange == chunk.sourceCharacterRange
            let storedRow = reader.vectors.float16Row(index)
            let sameVector = (0..<dimension).allSatisfy { abs(Float(storedRow[$0]) - Float(fresh.vectors[index * dimension + $0])) <= vectorTolerance }
            let sameText = try reader.chunkText(at: index) == chunk.text
            if !sameRecord || !sameVector || !sameText { differing += 1 }
        }
        if differing > 0 { report.contentDifferences.append("\(differing) of \(fresh.chunks.count) chunks differ from a fresh build") }
        return report
    }
}
