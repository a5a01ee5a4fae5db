@testable import Retrieval
import Testing

@Suite struct DocumentPriorTests {
    // Chunks 0–3 belong to document 0, chunks 10–11 to document 1, chunk 20 to document 2.
    static func document(of chunk: Int) -> Int { chunk / 10 }
    static func chunkCount(of document: Int) -> Int { [4, 2, 1][document] }

    static func apply(_ prior: DocumentPrior, _ fused: [SearchHit]) -> [SearchHit] {
        prior.apply(to: fused, documentOf: document(of:), chunkCount: chunkCount(of:))
    }

    @Test func aChunkGainsAThirdOfItsDocumentsThreeBestScoresTimesTheWeight() {
        let fused = [SearchHit(chunkIndex: 20, score: 0.9), SearchHit(chunkIndex: 0, score: 0.8), SearchHit(chunkIndex: 10, score: 0.7),
                     SearchHit(chunkIndex: 1, score: 0.6), SearchHit(chunkIndex: 2, score: 0.4), SearchHit(chunkIndex: 3, score: 0.3),
                     SearchHit(chunkIndex: 11, score: 0.2)]
        let ranked = Self.apply(DocumentPrior(weight: 0.5), fused)
        // Document 0 (4 chunks): (0.8 + 0.6 + 0.4) / 3 = 0.6, its fourth chunk (0.3) not counted;
        // document 1 (2 chunks): (0.7 + 0.2) / 2 = 0.45; document 2 (1 chunk): 0.9.
        let expected: [Int: Float] = [0: 1.1, 1: 0.9, 2: 0.7, 3: 0.6, 10: 0.925, 11: 0.425, 20: 1.35]
        #expect(ranked.map(\.chunkIndex) == [20, 0, 10, 1, 2, 3, 11])
        for hit in ranked { #expect(abs(hit.score - expected[hit.chunkIndex]!) < 1e-6, "chunk \(hit.chunkIndex)") }
    }

    @Test func aDocumentsChunksMissingFromTheCandidatesCountZero() {
        // Document 0 has 4 chunks but only chunk 0 is a candidate: its strength is 0.6 / 3.
        let ranked = Self.apply(DocumentPrior(weight: 1), [SearchHit(chunkIndex: 0, score: 0.6), SearchHit(chunkIndex: 20, score: 0.3)])
        #expect(ranked.map(\.chunkIndex) == [0, 20])
        #expect(abs(ranked[0].score - 0.8) < 1e-6 && abs(ranked[1].score - 0.6) < 1e-6)
    }

    @Test func weightZeroLeavesTheFusedRankingAsItIs() {
        let fused = [SearchHit(chunkIndex: 20, score: 0.9), SearchHit(chunkIndex: 0, score: 0.8), SearchHit(chunkIndex: 1, score: 0.7)]
        #expect(Self.apply(.none, fused) == fused)
    }

    @Test func tiesAfterThePriorGoToTheLowerChunkIndex() {
        // Chunk 20 (a document of one chunk) and chunk 0 (a document of four with two more candidates)
        // end equal (exactly, in binary): 0.5 + 0.5 · 0.5 = 0.75 and 0.5 + 0.5 · (0.5 + 0.5 + 0.5) / 3 = 0.75.
        let fused = [SearchHit(chunkIndex: 20, score: 0.5), SearchHit(chunkIndex: 0, score: 0.5), SearchHit(chunkIndex: 1, score: 0.5),
                     SearchHit(chunkIndex: 2, score: 0.5)]
        #expect(Self.apply(.standard, fused).map(\.chunkIndex) == [0, 1, 2, 20])
    }

    @Test func hybridSearchRanksByFusionPlusThePrior() throws {
        let (reader, _) = try HybridSearchTests.artifact()
        let plain = try Retriever(reader: reader, documentPrior: .none)
        let withPrior = try Retriever(reader: reader)
        #expect(withPrior.documentPrior == .standard)
        var differed = false
        for seed in 1...8 as ClosedRange<UInt64> {
            let vector = HybridSearchTests.query(seed: seed)
            let query = "per diem receipts approval policy"
            let a = try plain.search(query: query, vector: vector, mode: .hybrid, k: 10).results
            let b = try withPrior.search(query: query, vector: vector, mode: .hybrid, k: 10).results
            // A candidate with a positive fused score gains a positive share of its document's.
            for (result, plainScore) in zip(b, b.map { hit in a.first { $0.chunkIndex == hit.chunkIndex }?.score }) {
                if let plainScore, plainScore > 0 { #expect(result.score > plainScore) }
            }
            differed = differed || a.map(\.chunkIndex) != b.map(\.chunkIndex)
            // Dense and lexical modes do not use it.
            #expect(try plain.search(query: query, vector: vector, mode: .dense, k: 10) == withPrior.search(query: query, vector: vector, mode: .dense, k: 10))
            #expect(try plain.search(query: query, vector: vector, mode: .lexical, k: 10) == withPrior.search(query: query, vector: vector, mode: .lexical, k: 10))
        }
        #expect(differed, "the prior changed no ranking of 8 queries")
    }
}
