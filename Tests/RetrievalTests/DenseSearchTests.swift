import IndexFormat
import Retrieval
import Testing
import TestSupport

@Suite struct DenseSearchTests {
    static func reader(chunkCount: Int = 200, dimension: Int = 16, seed: UInt64 = 5) throws -> (ArtifactReader, ArtifactContents) {
        let contents = SyntheticArtifact.contents(chunkCount: chunkCount, dimension: dimension, documentCount: 4, seed: seed)
        return (try ArtifactReader(bytes: try ArtifactWriter.encode(contents)), contents)
    }

    /// Every chunk's score by a plain loop, in chunk order.
    static func bruteForceScores(_ contents: ArtifactContents, query: [Float], dimension: Int) -> [Float] {
        contents.chunks.indices.map { index in
            (0..<dimension).reduce(Float(0)) { $0 + Float(contents.vectors[index * dimension + $1]) * query[$1] }
        }
    }

    @Test(arguments: [1, 5, 50])
    func topKEqualsAFullSort(k: Int) throws {
        let (reader, contents) = try Self.reader()
        var random = SeededGenerator(seed: UInt64(k))
        for _ in 0..<10 {
            let query = SyntheticArtifact.unitVector(dimension: 16, using: &random).map(Float.init)
            let hits = DenseSearch(vectors: reader.vectors).search(query, k: k)
            #expect(hits.count == k)
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
            // Every hit scores at least the k-th best score of a full sort (to float rounding:
            // the SIMD scan sums in another order), and no hit repeats.
            let scores = Self.bruteForceScores(contents, query: query, dimension: 16)
            let kth = scores.sorted(by: >)[k - 1]
            #expect(hits.allSatisfy { scores[$0.chunkIndex] >= kth - 1e-5 })
            #expect(hits.allSatisfy { abs(scores[$0.chunkIndex] - $0.score) < 1e-5 })
            #expect(Set(hits.map(\.chunkIndex)).count == k)
        }
    }

    @Test func aRowFindsItselfFirst() throws {
        let (reader, _) = try Self.reader()
        for row in [0, 17, 199] {
            let hits = DenseSearch(vectors: reader.vectors).search(reader.vectors.row(row), k: 3)
            #expect(hits.first?.chunkIndex == row)
            #expect(abs((hits.first?.score ?? 0) - 1) < 2e-3)
        }
    }

    @Test func tiesGoToTheLowerChunkIndex() throws {
        // Every row the same vector: every score ties.
        var contents = SyntheticArtifact.contents(chunkCount: 10, dimension: 4, seed: 1)
        contents.vectors = Array(repeating: [0.5, 0.5, 0.5, 0.5] as [Float16], count: 10).flatMap { $0 }
        let reader = try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
        let hits = DenseSearch(vectors: reader.vectors).search([1, 0, 0, 0], k: 4)
        #expect(hits.map(\.chunkIndex) == [0, 1, 2, 3])
    }

    @Test func documentFilterKeepsOnlyThoseDocuments() throws {
        let (reader, contents) = try Self.reader()
        let query = reader.vectors.row(3)
        let allowed: Set<Int> = [1, 2]
        let hits = DenseSearch(vectors: reader.vectors).search(query, k: 10, allowedDocuments: allowed) { contents.chunks[$0].documentIndex }
        #expect(hits.count == 10)
        #expect(hits.allSatisfy { allowed.contains(contents.chunks[$0.chunkIndex].documentIndex) })
        #expect(DenseSearch(vectors: reader.vectors).search(query, k: 10, allowedDocuments: []) { contents.chunks[$0].documentIndex }.isEmpty)
    }

    @Test func kLargerThanTheArtifactReturnsEveryChunk() throws {
        let (reader, _) = try Self.reader(chunkCount: 7)
        #expect(DenseSearch(vectors: reader.vectors).search(reader.vectors.row(0), k: 50).count == 7)
        #expect(DenseSearch(vectors: reader.vectors).search(reader.vectors.row(0), k: 0).isEmpty)
    }
}
