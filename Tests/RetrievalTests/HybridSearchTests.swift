import Foundation
import IndexFormat
@testable import Retrieval
import Testing
import TestSupport

@Suite struct HybridSearchTests {
    /// A synthetic artifact with the compiler's lexicon over its chunk texts.
    static func artifact(chunkCount: Int = 120, seed: UInt64 = 3) throws -> (ArtifactReader, ArtifactContents) {
        var contents = SyntheticArtifact.contents(chunkCount: chunkCount, dimension: 16, documentCount: 4, seed: seed)
        contents.additionalSections = [try LexiconBuilder.section(for: contents.chunks.map(\.text))]
        return (try ArtifactReader(bytes: try ArtifactWriter.encode(contents)), contents)
    }

    static func query(seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        return SyntheticArtifact.unitVector(dimension: 16, using: &random).map(Float.init)
    }

    @Test func bm25EqualsItsFormulaComputedDirectly() throws {
        let (reader, contents) = try Self.artifact()
        let search = try BM25Search(lexicon: try #require(try reader.lexicon()))
        let documents = contents.chunks.map { SearchTokenizer.terms($0.text) }
        let average = Double(documents.map(\.count).reduce(0, +)) / Double(documents.count)
        for query in ["per diem receipts", "401(k) MFA café", "$5,000 approval within days", "nothing matches zzz"] {
            let scores = try search.scores(for: query)
            for (chunk, terms) in documents.enumerated() {
                var expected = 0.0
                for term in SearchTokenizer.terms(query) {
                    let tf = Double(terms.filter { $0 == term }.count)
                    guard tf > 0 else { continue }
                    let df = Double(documents.filter { $0.contains(term) }.count)
                    let idf = log(1 + (Double(documents.count) - df + 0.5) / (df + 0.5))
                    expected += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * Double(terms.count) / average))
                }
                #expect(abs(Double(scores[chunk] ?? 0) - expected) < 1e-4 * max(1, expected), "\(query) chunk \(chunk)")
            }
        }
    }

    @Test func reciprocalRankFusionOrdersBySummedReciprocalRanks() {
        let dense = [SearchHit(chunkIndex: 7, score: 0.9), SearchHit(chunkIndex: 3, score: 0.8), SearchHit(chunkIndex: 5, score: 0.7)]
        let lexical = [SearchHit(chunkIndex: 5, score: 12), SearchHit(chunkIndex: 3, score: 11), SearchHit(chunkIndex: 9, score: 4)]
        let fused = RankFusion.reciprocalRankFusion.fuse(dense: dense, lexical: lexical)
        // 5: 1/63 + 1/61 > 3: 2/62 > 7: 1/61 > 9: 1/63
        #expect(fused.map(\.chunkIndex) == [5, 3, 7, 9])
        #expect(abs(fused[0].score - (1.0 / 63 + 1.0 / 61)) < 1e-7)
    }

    @Test func weightedFusionScalesEachListToZeroOneThenWeighs() {
        let dense = [SearchHit(chunkIndex: 1, score: 0.8), SearchHit(chunkIndex: 2, score: 0.6), SearchHit(chunkIndex: 3, score: 0.4)]
        let lexical = [SearchHit(chunkIndex: 3, score: 20), SearchHit(chunkIndex: 1, score: 10), SearchHit(chunkIndex: 4, score: 0)]
        let fused = RankFusion.weighted(denseWeight: 0.7).fuse(dense: dense, lexical: lexical)
        // 1: 0.7·1 + 0.3·0.5 = 0.85; 2: 0.7·0.5 = 0.35; 3: 0 + 0.3·1 = 0.3; 4: 0.
        #expect(fused.map(\.chunkIndex) == [1, 2, 3, 4])
        #expect(zip(fused.map(\.score), [0.85, 0.35, 0.3, 0] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func fusionTiesGoToTheLowerChunkIndex() {
        let a = [SearchHit(chunkIndex: 4, score: 1), SearchHit(chunkIndex: 2, score: 0.5)]
        let b = [SearchHit(chunkIndex: 2, score: 9), SearchHit(chunkIndex: 4, score: 3)]
        #expect(RankFusion.reciprocalRankFusion.fuse(dense: a, lexical: b).map(\.chunkIndex) == [2, 4])
        #expect(RankFusion.reciprocalRankFusion.fuse(dense: b, lexical: a).map(\.chunkIndex) == [2, 4])
        #expect(RankFusion.weighted(denseWeight: 0.5).fuse(dense: a, lexical: b).map(\.chunkIndex) == [2, 4])
    }

    @Test(arguments: SearchMode.allCases)
    func everyModeKeepsDenseScoresRanksAndFilters(mode: SearchMode) throws {
        let (reader, contents) = try Self.artifact()
        let retriever = try Retriever(reader: reader)
        for seed in 1...5 as ClosedRange<UInt64> {
            let vector = Self.query(seed: seed)
            let all = try retriever.search(query: "per diem MFA 401(k)", vector: vector, mode: mode, k: 10)
            #expect(all.modeUsed == mode && all.notice == nil)
            #expect(!all.results.isEmpty)
            for result in all.results {
                let row = reader.vectors.row(result.chunkIndex)
                let cosine = zip(row, vector).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                #expect(abs(result.denseScore - cosine) < 1e-4)
                #expect(result.denseRank >= 1)
                #expect((result.lexicalRank == nil) == (result.lexicalScore == 0))
                #expect(result.chunkIndices.contains(result.chunkIndex))
            }
            if mode == .dense { #expect(all.results.first?.denseRank == 1) }
            if mode == .lexical { #expect(all.results.first?.lexicalRank == 1) }
            let filtered = try retriever.search(query: "per diem MFA 401(k)", vector: vector, mode: mode, k: 10, allowedDocuments: [1, 3])
            #expect(!filtered.results.isEmpty)
            #expect(filtered.results.flatMap(\.chunkIndices).allSatisfy { [1, 3].contains(contents.chunks[$0].documentIndex) })
        }
    }

    @Test(arguments: SearchMode.allCases)
    func reportedRanksAreRanksInTheFullRankings(mode: SearchMode) throws {
        // Ranks come from the top lists when a chunk is in them and from a count otherwise; a
        // shallow candidate depth (2k) sends most results down the second way. Both must give the
        // chunk's place in the full ranking, worked out here from every chunk's scores.
        let (reader, contents) = try Self.artifact()
        var retriever = try Retriever(reader: reader)
        retriever.candidateDepth = 1
        let bm25 = try BM25Search(lexicon: try #require(try reader.lexicon()))
        let query = "per diem MFA 401(k) receipts approval"
        for (seed, allowed) in [(UInt64(1), nil), (2, Set([0, 2])), (3, Set([1, 2, 3]))] as [(UInt64, Set<Int>?)] {
            let vector = Self.query(seed: seed)
            let isAllowed = { (chunk: Int) in allowed?.contains(contents.chunks[chunk].documentIndex) ?? true }
            let lexicalScores = try bm25.scores(for: query)
            let denseScores = (0..<reader.chunkCount).map { chunk in zip(reader.vectors.row(chunk), vector).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            let outcome = try retriever.search(query: query, vector: vector, mode: mode, k: 4, allowedDocuments: allowed)
            #expect(outcome.results.count == 4)
            for result in outcome.results {
                let chunk = result.chunkIndex
                let betterDense = (0..<reader.chunkCount).filter { isAllowed($0) && (denseScores[$0] > denseScores[chunk] + 1e-5) }.count
                let tiedDense = (0..<reader.chunkCount).filter { isAllowed($0) && abs(denseScores[$0] - denseScores[chunk]) <= 1e-5 }.count
                #expect((betterDense + 1...betterDense + tiedDense).contains(result.denseRank), "\(mode) chunk \(chunk)")
                if let score = lexicalScores[chunk] {
                    let better = lexicalScores.filter { isAllowed($0.key) && ($0.value > score || ($0.value == score && $0.key < chunk)) }.count
                    #expect(result.lexicalRank == better + 1, "\(mode) chunk \(chunk)")
                    #expect(result.lexicalScore == score)
                } else {
                    #expect(result.lexicalRank == nil && result.lexicalScore == 0, "\(mode) chunk \(chunk)")
                }
            }
        }
    }

    @Test func adjacentChunksOfOneSectionBecomeOnePassage() throws {
        var contents = SyntheticArtifact.contents(chunkCount: 40, dimension: 16, documentCount: 4, seed: 9)
        // Chunks 20 and 21 sit side by side in one section and say nearly the same thing.
        contents.chunks[21].documentIndex = contents.chunks[20].documentIndex
        contents.chunks[21].outlineIndex = contents.chunks[20].outlineIndex
        contents.vectors.replaceSubrange(21 * 16..<22 * 16, with: contents.vectors[20 * 16..<21 * 16])
        contents.additionalSections = [try LexiconBuilder.section(for: contents.chunks.map(\.text))]
        let reader = try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
        let retriever = try Retriever(reader: reader)
        let outcome = try retriever.search(query: "policy", vector: reader.vectors.row(20), mode: .dense, k: 5)
        #expect(outcome.results.count == 5)
        #expect(outcome.results[0].chunkIndices == [20, 21])
        #expect(Set(outcome.results.flatMap(\.chunkIndices)).count == outcome.results.flatMap(\.chunkIndices).count)
    }

    @Test func aFormat10ArtifactHasNoLexicalSearchAndHybridSaysItRanDense() throws {
        let fixture = packageRoot().appendingPathComponent("Tests/IndexFormatTests/Fixtures/tiny-v1.0.pidx").path
        let retriever = try Retriever(reader: try ArtifactReader(path: fixture))
        #expect(throws: RetrievalError.noLexicon) {
            try retriever.search(query: "per diem", vector: [1, 0, 0, 0], mode: .lexical, k: 3)
        }
        let hybrid = try retriever.search(query: "per diem", vector: [1, 0, 0, 0], mode: .hybrid, k: 3)
        #expect(hybrid.modeUsed == .dense)
        #expect(hybrid.notice?.contains("no lexicon section") == true)
        #expect(hybrid.results.map(\.chunkIndex) == [0, 2, 1])
        #expect(RetrievalError.noLexicon.description.contains("rebuild"))
    }

    @Test func passagesShowTheChunkerOverlapOnce() {
        #expect(PassageText.join(["Receipts are needed above $75 per day.", "above $75 per day. Keep them for 7 years."])
                == "Receipts are needed above $75 per day. Keep them for 7 years.")
        #expect(PassageText.join(["First part.", "Second part."]) == "First part.\n\nSecond part.")
    }
}
