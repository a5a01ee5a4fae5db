import IndexFormat

/// Artifact contents made up from a seed: random unit vectors, plausible texts and outlines.
/// The same seed gives the same contents, so tests can compare bytes.
public enum SyntheticArtifact {
    static let words = ["leave", "expense", "per", "diem", "approval", "manager", "travel", "receipt", "policy",
                        "security", "device", "password", "days", "within", "$5,000", "401(k)", "MFA", "café", "résumé", "東京"]

    public static func contents(chunkCount: Int, dimension: Int = 384, documentCount: Int = 4, seed: UInt64 = 1) -> ArtifactContents {
        var random = SeededGenerator(seed: seed)
        let documents = (0..<documentCount).map { index in
            DocumentRecord(
                path: "area\(index % 3)/policy-\(index).md", title: "Policy \(index)",
                sha256: String(repeating: String(index % 10), count: 64),
                metadata: ["owner": "People Operations", "version": "1.\(index)", "effective": "2026-01-01"],
                outline: [
                    .init(level: 1, headingPath: ["Policy \(index)"], sourceCharacterStart: 0, sourceCharacterEnd: 5000),
                    .init(level: 2, headingPath: ["Policy \(index)", "Scope"], sourceCharacterStart: 10, sourceCharacterEnd: 900),
                    .init(level: 2, headingPath: ["Policy \(index)", "Rules"], sourceCharacterStart: 900, sourceCharacterEnd: 5000),
                ])
        }
        var chunks: [ChunkInput] = []
        var vectors: [Float16] = []
        chunks.reserveCapacity(chunkCount)
        vectors.reserveCapacity(chunkCount * dimension)
        for index in 0..<chunkCount {
            let wordCount = Int.random(in: 5...60, using: &random)
            let text = (0..<wordCount).map { _ in words[Int.random(in: 0..<words.count, using: &random)] }.joined(separator: " ")
            let start = Int.random(in: 0..<4000, using: &random)
            chunks.append(ChunkInput(
                id: random.next(), documentIndex: index % documentCount,
                outlineIndex: index % 5 == 0 ? nil : 1 + index % 2, text: text, tokenCount: wordCount + 2,
                sourceCharacterRange: start..<(start + text.unicodeScalars.count)))
            vectors.append(contentsOf: unitVector(dimension: dimension, using: &random))
        }
        let manifest = Manifest(
            compiler: .init(name: "policyc", version: "0.1.0"),
            model: .init(name: "synthetic", fingerprint: String(repeating: "ab", count: 32), dimension: dimension),
            chunking: .init(targetTokenCount: 200, overlapTokenCount: 32, maximumTokenCount: 256),
            sources: documents.map { .init(path: $0.path, sha256: $0.sha256, byteCount: 5000) })
        return ArtifactContents(manifest: manifest, documents: documents, chunks: chunks, vectors: vectors)
    }

    /// A random direction, L2-normalised in Float before rounding to Float16.
    public static func unitVector(dimension: Int, using random: inout SeededGenerator) -> [Float16] {
        let values = (0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { Float16($0 / norm) }
    }
}
