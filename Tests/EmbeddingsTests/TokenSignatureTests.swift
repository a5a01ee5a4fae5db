import Testing
@testable import Embeddings

/// A text's token signatures (late-interaction re-ranking) come from the same pass as its vector.
@Suite struct TokenSignatureTests {
    @Test func signatureBitsAreTheSignsOfEachTokensHiddenStateWithoutClsAndSep() {
        // Two texts packed in one (rows, 3) matrix: rows 0–3 are [CLS] a b [SEP], rows 4–6 [CLS] c [SEP].
        let hidden: [Float] = [9, 9, 9,   1, -1, 0,   -2, 3, 0.5,   9, 9, 9,
                               -9, -9, -9,   0, 0, -0.0001,   -9, -9, -9]
        let first = TokenSignatures(hidden: hidden, firstRow: 0, sequence: [101, 7, 8, 102], width: 3)
        #expect(first.pieceIDs == [7, 8])
        #expect(first.words == [0b001, 0b110], "bit j set when component j is above zero; zero is not")
        let second = TokenSignatures(hidden: hidden, firstRow: 4, sequence: [101, 9, 102], width: 3)
        #expect(second.pieceIDs == [9] && second.words == [0])
        #expect(second.wordsPerToken == 1 && TokenSignatures.wordsPerToken(dimension: 384) == 6 && TokenSignatures.wordsPerToken(dimension: 65) == 2)
    }

    @Test func encodeGivesEmbedsVectorBitForBitAndTheSignsOfTheSamePass() throws {
        let embedder = try ModelFolder.embedder(precision: .bfloat16)
        let questions = ["How many days can I work from abroad?", "401(k) match — vesting schedule?", ""]
        let sequences = questions.map(embedder.tokenIDs(for:))
        let encodings = embedder.encode(tokenIDs: sequences)
        let vectors = embedder.embed(tokenIDs: sequences)
        let hidden = embedder.encoder.hiddenStates(for: sequences)
        var firstRow = 0
        for (index, sequence) in sequences.enumerated() {
            #expect(encodings[index].vector.map(\.bitPattern) == vectors[index].map(\.bitPattern), "question \(index)")
            let tokens = encodings[index].tokens
            #expect(tokens.pieceIDs == Array(sequence.dropFirst().dropLast()) && tokens.dimension == 384)
            for token in 0..<tokens.tokenCount {
                for component in 0..<384 {
                    let set = tokens.words[token * 6 + component / 64] >> UInt64(component % 64) & 1 == 1
                    #expect(set == (hidden[(firstRow + 1 + token) * 384 + component] > 0), "question \(index) token \(token) component \(component)")
                }
            }
            firstRow += sequence.count
        }
        #expect(encodings[2].tokens.tokenCount == 0, "an empty question is [CLS] [SEP] only")
        #expect(embedder.encode(questions[0]) == encodings[0])
    }
}
