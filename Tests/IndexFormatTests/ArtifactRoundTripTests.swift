import Foundation
import Testing
import IndexFormat
import TestSupport

@Suite struct ArtifactRoundTripTests {
    /// Writes `contents` to a real file, maps it, and checks every field comes back.
    func expectRoundTrip(_ contents: ArtifactContents) throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("index.pidx")
        try ArtifactWriter.write(contents, to: path)
        let reader = try ArtifactReader(path: path)
        try reader.verifySectionChecksums()
        try reader.verifyDigest()

        #expect(try reader.manifest() == contents.manifest)
        #expect(try reader.documents() == contents.documents)
        #expect(reader.chunkCount == contents.chunks.count)
        #expect(reader.vectors.rowCount == contents.chunks.count)
        #expect(reader.vectors.dimension == contents.manifest.model.dimension)
        // Mismatches are collected and reported once: one #expect per field of 100,000 chunks is slow.
        var mismatches: [String] = []
        var textOffset = 0
        for (index, chunk) in contents.chunks.enumerated() {
            let record = try reader.chunk(at: index)
            let expected = ChunkRecord(id: chunk.id, documentIndex: chunk.documentIndex, outlineIndex: chunk.outlineIndex,
                                       textByteOffset: textOffset, textByteCount: chunk.text.utf8.count,
                                       tokenCount: chunk.tokenCount, sourceCharacterRange: chunk.sourceCharacterRange)
            if record != expected { mismatches.append("chunk \(index): \(record) != \(expected)") }
            if try reader.chunkText(at: index) != chunk.text { mismatches.append("chunk \(index): text differs") }
            textOffset += chunk.text.utf8.count
        }
        let dimension = contents.manifest.model.dimension
        for row in 0..<reader.vectors.rowCount
        where reader.vectors.float16Row(row) != Array(contents.vectors[(row * dimension)..<((row + 1) * dimension)]) {
            mismatches.append("vector row \(row) differs")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        if !contents.chunks.isEmpty {
            #expect(reader.vectors.row(0) == contents.vectors[0..<dimension].map(Float.init))
        }
        #expect(reader.blockProblems().isEmpty)
    }

    @Test(arguments: [0, 1, 7, 500])
    func smallArtifactsRoundTrip(chunkCount: Int) throws {
        try expectRoundTrip(SyntheticArtifact.contents(chunkCount: chunkCount, dimension: 384, seed: UInt64(chunkCount)))
    }

    @Test func oddDimensionsRoundTrip() throws {
        try expectRoundTrip(SyntheticArtifact.contents(chunkCount: 33, dimension: 13, seed: 9))
    }

    @Test func hundredThousandChunksOf384DimensionsRoundTrip() throws {
        try expectRoundTrip(SyntheticArtifact.contents(chunkCount: 100_000, dimension: 384, seed: 42))
    }

    @Test func writingTheSameContentsTwiceGivesIdenticalBytes() throws {
        let first = try ArtifactWriter.encode(SyntheticArtifact.contents(chunkCount: 300, seed: 5))
        let second = try ArtifactWriter.encode(SyntheticArtifact.contents(chunkCount: 300, seed: 5))
        #expect(first == second)
        let folder = try TemporaryDirectory()
        try ArtifactWriter.write(SyntheticArtifact.contents(chunkCount: 300, seed: 5), to: folder.path("a.pidx"))
        try ArtifactWriter.write(SyntheticArtifact.contents(chunkCount: 300, seed: 5), to: folder.path("b.pidx"))
        #expect(try Array(Data(contentsOf: folder.url.appendingPathComponent("a.pidx"))) == first)
        #expect(try Array(Data(contentsOf: folder.url.appendingPathComponent("b.pidx"))) == first)
    }

    /// The SIMD scan against a plain loop, at dimensions that exercise the tail (37) and not (384).
    @Test(arguments: [1, 37, 384])
    func dotProductsMatchAPlainLoop(dimension: Int) throws {
        let contents = SyntheticArtifact.contents(chunkCount: 50, dimension: dimension, seed: 3)
        let reader = try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
        let query = (0..<dimension).map { Float($0 % 7) - 3 }
        let scores = reader.vectors.dotProducts(with: query)
        for row in 0..<50 {
            let expected = (0..<dimension).reduce(Float(0)) { $0 + Float(contents.vectors[row * dimension + $1]) * query[$1] }
            #expect(abs(scores[row] - expected) < 1e-3, "row \(row)")
        }
    }
}
