import Embeddings
import IndexFormat

/// The token-signatures section from every chunk's signatures (docs/ARTIFACT.md, kind 7).
enum TokenSignatureBuilder {
    /// Tokens whose WordPiece occurs in more than this percentage of the chunks are left out: they
    /// are the `the`, `,` and `to` of every chunk, about a third of the tokens, and weigh little in
    /// the re-ranking score anyway (their idf is low). Measured on the handbook: docs/EVALUATION.md.
    static let keptFrequencyPercent = 30

    static func section(for chunks: [TokenSignatures]) throws(ArtifactError) -> SectionPayload {
        guard let dimension = chunks.first?.dimension else {
            throw .invalidContents(reason: "token signatures for no chunks")
        }
        guard chunks.allSatisfy({ $0.dimension == dimension }) else {
            throw .invalidContents(reason: "token signatures of different dimensions")
        }
        let largestPiece = chunks.lazy.flatMap(\.pieceIDs).max() ?? 0
        var frequencies = [UInt32](repeating: 0, count: Int(max(0, largestPiece)) + 1)
        for chunk in chunks {
            for piece in Set(chunk.pieceIDs) where piece >= 0 { frequencies[Int(piece)] += 1 }
        }
        let perToken = TokenSignatures.wordsPerToken(dimension: dimension)
        let kept: [[UInt64]] = chunks.map { chunk in
            let tokens = (0..<chunk.tokenCount).filter { token in
                let piece = chunk.pieceIDs[token]
                return piece >= 0 && Int(frequencies[Int(piece)]) * 100 <= keptFrequencyPercent * chunks.count
            }
            guard !tokens.isEmpty else { return chunk.words }
            return tokens.flatMap { chunk.words[($0 * perToken)..<(($0 + 1) * perToken)] }
        }
        return try TokenSignatureSection.payload(dimension: dimension, documentFrequencies: frequencies, chunks: kept)
    }
}
