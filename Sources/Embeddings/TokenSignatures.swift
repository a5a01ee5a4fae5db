/// Per token of an encoded text, the signs of its final hidden state packed into bits: what
/// late-interaction re-ranking compares (docs/decisions/0006-late-interaction-reranking.md).
///
/// Two tokens' signatures differ in `h` bits out of `dimension` when their hidden states point
/// into `h` different half-spaces, so `1 - 2h / dimension` estimates their cosine (a sign random
/// projection along the coordinate axes). 48 bytes a token for MiniLM, against 768 in Float16.
public struct TokenSignatures: Equatable, Sendable {
    /// Bits per token: the hidden size.
    public let dimension: Int
    /// The tokens' WordPiece ids, in order, without `[CLS]` and `[SEP]`.
    public let pieceIDs: [Int32]
    /// `pieceIDs.count × wordsPerToken` words, token after token: bit `j` (least significant first)
    /// of word `w` is set when component `64w + j` of the token's hidden state is above zero.
    public let words: [UInt64]

    /// UInt64 words per token: ⌈dimension / 64⌉.
    public var wordsPerToken: Int { Self.wordsPerToken(dimension: dimension) }
    public var tokenCount: Int { pieceIDs.count }

    public static func wordsPerToken(dimension: Int) -> Int { (dimension + 63) / 64 }

    public init(dimension: Int, pieceIDs: [Int32], words: [UInt64]) {
        precondition(dimension > 0 && words.count == pieceIDs.count * Self.wordsPerToken(dimension: dimension),
                     "\(words.count) signature words for \(pieceIDs.count) tokens of dimension \(dimension)")
        self.dimension = dimension
        self.pieceIDs = pieceIDs
        self.words = words
    }

    /// The signatures of one text's rows in `hidden` (rows × `width`, row-major), whose token ids are
    /// `sequence`: every row but the first (`[CLS]`) and the last (`[SEP]`).
    init(hidden: [Float], firstRow: Int, sequence: [Int32], width: Int) {
        let inner = sequence.count >= 2 ? Array(sequence.dropFirst().dropLast()) : []
        let perToken = Self.wordsPerToken(dimension: width)
        var words: [UInt64] = []
        words.reserveCapacity(inner.count * perToken)
        for token in 0..<inner.count {
            let rowStart = (firstRow + 1 + token) * width
            for word in 0..<perToken {
                // Each word built in a register: the array is written once a word.
                let first = rowStart + 64 * word
                var bits: UInt64 = 0
                for bit in 0..<min(64, width - 64 * word) where hidden[first + bit] > 0 { bits |= 1 << UInt64(bit) }
                words.append(bits)
            }
        }
        self.init(dimension: width, pieceIDs: inner, words: words)
    }
}

/// A text's sentence vector and its tokens' signatures, from one encoder pass.
public struct TextEncoding: Equatable, Sendable {
    public var vector: [Float]
    public var tokens: TokenSignatures

    public init(vector: [Float], tokens: TokenSignatures) {
        self.vector = vector
        self.tokens = tokens
    }
}
