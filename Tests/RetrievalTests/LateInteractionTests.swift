import Embeddings
import Foundation
import IndexFormat
@testable import Retrieval
import Testing
import TestSupport

@Suite struct LateInteractionTests {
    static let dimension = 16
    static let chunkCount = 60

    /// Every chunk's tokens: 3 to 6 of them, random signatures (bits 0–15 only), piece ids from a
    /// small vocabulary so frequencies vary.
    static func chunkTokens(seed: UInt64 = 5) -> [TokenSignatures] {
        var random = SeededGenerator(seed: seed)
        return (0..<chunkCount).map { _ in
            let count = Int.random(in: 3...6, using: &random)
            let pieces = (0..<count).map { _ in Int32.random(in: 0..<40, using: &random) }
            let words = (0..<count).map { _ in random.next() & 0xFFFF }
            return TokenSignatures(dimension: dimension, pieceIDs: pieces, words: words)
        }
    }

    /// A synthetic artifact with a lexicon and these token signatures (every token kept).
    static func artifact(tokens: [TokenSignatures]) throws -> ArtifactReader {
        var contents = SyntheticArtifact.contents(chunkCount: chunkCount, dimension: dimension, documentCount: 4, seed: 9)
        var frequencies = [UInt32](repeating: 0, count: 40)
        for chunk in tokens { for piece in Set(chunk.pieceIDs) { frequencies[Int(piece)] += 1 } }
        contents.additionalSections = [
            try LexiconBuilder.section(for: contents.chunks.map(\.text)),
            try TokenSignatureSection.payload(dimension: dimension, documentFrequencies: frequencies, chunks: tokens.map(\.words)),
        ]
        return try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
    }

    static let query = "approval within days for travel"
    static func vector() -> [Float] {
        var random = SeededGenerator(seed: 77)
        return SyntheticArtifact.unitVector(dimension: dimension, using: &random).map(Float.init)
    }

    /// The chunks of the passages `retriever` returns (30 deep, so every chunk's place shows).
    static func ranking(_ retriever: Retriever, tokens: TokenSignatures?, allowed: Set<Int>? = nil) throws -> [RankedChunk] {
        try retriever.search(query: query, vector: vector(), tokens: tokens, mode: .hybrid, k: 30, allowedDocuments: allowed).results
    }

    @Test func theScoreIsTheIdfWeightedMeanOfEachQuestionTokensBestCosineEstimate() {
        // Against the same quantity computed the long way: signatures as ±1 vectors, cosines as dot products / dimension.
        var random = SeededGenerator(seed: 21)
        for dimension in [16, 100, 384] {
            let perToken = TokenSignatures.wordsPerToken(dimension: dimension)
            func signature() -> [UInt64] {
                (0..<perToken).map { word in
                    let bits = min(64, dimension - 64 * word)
                    return bits == 64 ? random.next() : random.next() & ((1 << UInt64(bits)) - 1)
                }
            }
            func signs(_ words: ArraySlice<UInt64>) -> [Float] {
                (0..<dimension).map { words[words.startIndex + $0 / 64] >> UInt64($0 % 64) & 1 == 1 ? 1 : -1 }
            }
            let question = TokenSignatures(dimension: dimension, pieceIDs: [1, 2, 3, 4], words: (0..<4).flatMap { _ in signature() })
            let chunk = (0..<7).flatMap { _ in signature() }
            let weights: [Float] = [0.5, 2, 1, 0.25]
            var expected: Float = 0
            for token in 0..<4 {
                let q = signs(question.words[(token * perToken)..<((token + 1) * perToken)])
                let best = (0..<7).map { other in
                    zip(q, signs(chunk[(other * perToken)..<((other + 1) * perToken)])).map(*).reduce(0, +) / Float(dimension)
                }.max()!
                expected += weights[token] * best
            }
            expected /= weights.reduce(0, +)
            let score = LateInteraction.score(question, weights: weights, chunk: chunk)
            #expect(abs(score - expected) < 1e-5, "dimension \(dimension): \(score) vs \(expected)")
            #expect(LateInteraction.score(question, weights: weights, chunk: []) == -1, "a chunk of no tokens")
        }
    }

    @Test func weightsAreEachPiecesIdfOverTheChunks() throws {
        let tokens = Self.chunkTokens()
        let table = try #require(try Self.artifact(tokens: tokens).tokenSignatures())
        let question = TokenSignatures(dimension: Self.dimension, pieceIDs: [3, 17, 39, 500], words: [1, 2, 3, 4])
        let weights = try LateInteraction.weights(of: question, in: table)
        for (piece, weight) in zip(question.pieceIDs, weights) {
            let frequency = Double(tokens.filter { $0.pieceIDs.contains(piece) }.count)
            let idf = log(1 + (Double(Self.chunkCount) - frequency + 0.5) / (frequency + 0.5))
            #expect(abs(Double(weight) - idf) < 1e-5, "piece \(piece)")
        }
    }

    @Test func aChunkMatchingTheQuestionTokenForTokenRisesToTheTopWithinTheDepthOnly() throws {
        let tokens = Self.chunkTokens()
        let reader = try Self.artifact(tokens: tokens)
        let plain = try Self.ranking(try Retriever(reader: reader, documentPrior: .none, lateInteraction: .none), tokens: nil)
        let reranking = try Retriever(reader: reader, documentPrior: .none, lateInteraction: LateInteraction(depth: 20))
        // The fused ranking's 12th chunk, asked for by its own tokens: an exact match scores 1.
        let inside = plain[11].chunkIndex
        let promoted = try Self.ranking(reranking, tokens: tokens[inside])
        #expect(promoted.first?.chunkIndex == inside)
        // The first 20 chunks are re-ordered among themselves; the rest keep their order below them.
        #expect(Set(promoted.prefix(20).map(\.chunkIndex)) == Set(plain.prefix(20).map(\.chunkIndex)))
        #expect(promoted.dropFirst(20).map(\.chunkIndex) == plain.dropFirst(20).map(\.chunkIndex))
        #expect(zip(promoted, promoted.dropFirst()).allSatisfy { $0.score >= $1.score }, "scores never rise down the ranking")
        // The 25th, asked for by its own tokens, is past the depth and stays where it was.
        let outside = plain[24].chunkIndex
        #expect(try Self.ranking(reranking, tokens: tokens[outside]).firstIndex { $0.chunkIndex == outside } == 24)
        // Dense and lexical ranks and scores are the plain search's.
        let before = plain.first { $0.chunkIndex == inside }!
        #expect(promoted[0].denseRank == before.denseRank && promoted[0].lexicalRank == before.lexicalRank)
    }

    @Test func equalScoresGoToTheLowerChunkIndex() throws {
        var tokens = Self.chunkTokens()
        let plain = try Self.ranking(try Retriever(reader: try Self.artifact(tokens: tokens), documentPrior: .none, lateInteraction: .none),
                                     tokens: nil)
        // Two chunks of the first 20 get the same tokens; a question of those tokens ties them at 1.
        let (a, b) = (plain[3].chunkIndex, plain[15].chunkIndex)
        tokens[max(a, b)] = tokens[min(a, b)]
        let reader = try Self.artifact(tokens: tokens)
        let ranked = try Self.ranking(try Retriever(reader: reader, documentPrior: .none, lateInteraction: LateInteraction(depth: 20)),
                                      tokens: tokens[a])
        #expect(ranked.prefix(2).map(\.chunkIndex) == [min(a, b), max(a, b)])
    }

    @Test func depthZeroNoTokensOrNoSectionLeaveTheFusedRanking() throws {
        let tokens = Self.chunkTokens()
        let reader = try Self.artifact(tokens: tokens)
        let plain = try Self.ranking(try Retriever(reader: reader, lateInteraction: .none), tokens: tokens[7]).map(\.chunkIndex)
        #expect(try Self.ranking(try Retriever(reader: reader), tokens: nil).map(\.chunkIndex) == plain)
        var contents = SyntheticArtifact.contents(chunkCount: Self.chunkCount, dimension: Self.dimension, documentCount: 4, seed: 9)
        contents.additionalSections = [try LexiconBuilder.section(for: contents.chunks.map(\.text))]
        let withoutSection = try Retriever(reader: try ArtifactReader(bytes: try ArtifactWriter.encode(contents)))
        #expect(withoutSection.tokenSignatures == nil)
        #expect(try Self.ranking(withoutSection, tokens: tokens[7]).map(\.chunkIndex) == plain)
        // Dense and lexical modes are never re-ranked.
        let retriever = try Retriever(reader: reader)
        for mode in [SearchMode.dense, .lexical] {
            let with = try retriever.search(query: Self.query, vector: Self.vector(), tokens: tokens[7], mode: mode, k: 30).results.map(\.chunkIndex)
            let without = try retriever.search(query: Self.query, vector: Self.vector(), mode: mode, k: 30).results.map(\.chunkIndex)
            #expect(with == without, "\(mode)")
        }
    }

    @Test func aDocumentFilterHoldsAfterReranking() throws {
        let tokens = Self.chunkTokens()
        let retriever = try Retriever(reader: try Self.artifact(tokens: tokens))
        let ranked = try Self.ranking(retriever, tokens: tokens[2], allowed: [2])
        #expect(!ranked.isEmpty && ranked.allSatisfy { retriever.documentIndex(ofChunk: $0.chunkIndex) == 2 })
        #expect(ranked.first?.chunkIndex == 2, "chunk 2 (document 2) asked for by its own tokens")
    }

    @Test func aQuestionOfAnotherDimensionIsNotReranked() throws {
        let tokens = Self.chunkTokens()
        let reader = try Self.artifact(tokens: tokens)
        let plain = try Self.ranking(try Retriever(reader: reader, lateInteraction: .none), tokens: nil).map(\.chunkIndex)
        let foreign = TokenSignatures(dimension: 384, pieceIDs: [1], words: [1, 2, 3, 4, 5, 6])
        #expect(try Self.ranking(try Retriever(reader: reader), tokens: foreign).map(\.chunkIndex) == plain)
    }
}
