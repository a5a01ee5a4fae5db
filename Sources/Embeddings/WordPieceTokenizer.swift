#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// BERT's WordPiece tokenizer: `[CLS]`, the pieces of the text, `[SEP]`.
///
/// Special-token strings written in the text (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`, `[UNK]`) map to
/// their ids, as Hugging Face's tokenizer does for non-normalised added tokens. Every other run is
/// normalised and split into words (`BertPreTokenizer`), then each word is split greedily,
/// longest match first, into vocabulary pieces, non-initial pieces carrying the `##` prefix. A word
/// over `maximumWordScalarCount` scalars, or one with a piece missing from the vocabulary, becomes
/// a single `[UNK]`. The pieces are cut to `maximumTokenCount - 2` so the specials fit.
public struct WordPieceTokenizer: Sendable {
    /// 100: `max_input_chars_per_word` in BERT's tokenizer.
    public static let maximumWordScalarCount = 100
    public static let specialTokenNames = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public let maximumTokenCount: Int
    public let preTokenizer: BertPreTokenizer
    public let classifierTokenID: Int32
    public let separatorTokenID: Int32
    public let unknownTokenID: Int32
    private let idByPiece: [Piece: Int32]
    private let idByContinuation: [Piece: Int32]
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    /// Lines in the vocabulary file: one more than the largest id.
    public let vocabularyLineCount: Int

    /// A tokenizer over `vocabulary` (one piece per line; the line number is the id).
    /// - Parameters:
    ///   - maximumTokenCount: the sequence limit including `[CLS]` and `[SEP]` (sentence-transformers' `max_seq_length`).
    ///   - path: labels errors.
    public init(vocabulary: String, maximumTokenCount: Int, lowercases: Bool = true, path: String = "vocab.txt") throws(EmbeddingError) {
        guard maximumTokenCount >= 2 else {
            throw .invalidConfiguration(path: path, reason: "max_seq_length \(maximumTokenCount) leaves no room for [CLS] and [SEP]")
        }
        var pieces: [Piece: Int32] = [:]
        var continuations: [Piece: Int32] = [:]
        // One line at a time, without an array of all 30,000 lines (the daemon's peak memory).
        var lineCount = 0
        var lineStart = vocabulary.startIndex
        while lineStart < vocabulary.endIndex {
            let lineEnd = vocabulary[lineStart...].firstIndex(of: "\n") ?? vocabulary.endIndex
            var scalars = vocabulary[lineStart..<lineEnd].unicodeScalars
            lineStart = lineEnd < vocabulary.endIndex ? vocabulary.index(after: lineEnd) : lineEnd
            // Hugging Face trims trailing whitespace (including a Windows line ending) from each line.
            while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
            guard lineCount < Int(Int32.max) else { throw .invalidVocabulary(path: path, reason: "it has more than 2^31 lines") }
            let piece = Piece(String(scalars))
            let id = Int32(lineCount)
            lineCount += 1
            // Keep the first id of a duplicated line, as the reference does.
            if piece.text.utf8.starts(with: "##".utf8) {
                let continuation = Piece(String(scalars.dropFirst(2)))
                if continuations[continuation] == nil { continuations[continuation] = id }
            }
            if pieces[piece] == nil { pieces[piece] = id }
        }
        guard lineCount > 0 else { throw .invalidVocabulary(path: path, reason: "it has no lines") }
        var specials: [(scalars: [Unicode.Scalar], id: Int32)] = []
        for name in Self.specialTokenNames {
            guard let id = pieces[Piece(name)] else { throw .invalidVocabulary(path: path, reason: "it lacks the special token \(name)") }
            specials.append((Array(name.unicodeScalars), id))
        }
        self.idByPiece = pieces
        self.idByContinuation = continuations
        self.specialTokens = specials
        self.classifierTokenID = specials[2].id
        self.separatorTokenID = specials[3].id
        self.unknownTokenID = specials[1].id
        self.maximumTokenCount = maximumTokenCount
        self.vocabularyLineCount = lineCount
        self.preTokenizer = BertPreTokenizer(lowercasesAndStripsAccents: lowercases)
    }

    /// The token ids of `text`: `[CLS]`, at most `maximumTokenCount - 2` pieces, `[SEP]`.
    public func tokenIDs(for text: String) -> [Int32] {
        let limit = maximumTokenCount - 2
        var ids: [Int32] = [classifierTokenID]
        var runStart = text.unicodeScalars.startIndex
        var index = runStart
        let scalars = text.unicodeScalars
        while index < scalars.endIndex, ids.count - 1 < limit {
            if scalars[index] == "[", let (id, end) = specialToken(at: index, in: scalars) {
                appendPieces(of: Substring(scalars[runStart..<index]), to: &ids, limit: limit)
                if ids.count - 1 < limit { ids.append(id) }
                index = end
                runStart = end
            } else {
                index = scalars.index(after: index)
            }
        }
        if ids.count - 1 < limit { appendPieces(of: Substring(scalars[runStart..<scalars.endIndex]), to: &ids, limit: limit) }
        ids.append(separatorTokenID)
        return ids
    }

    /// The vocabulary pieces of one word, or `[unknownTokenID]`.
    public func pieceIDs(forWord word: [Unicode.Scalar]) -> [Int32] {
        if word.count > Self.maximumWordScalarCount { return [unknownTokenID] }
        var result: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var text = ""
                text.unicodeScalars.append(contentsOf: word[start..<end])
                let candidate = Piece(text)
                if let id = start == 0 ? idByPiece[candidate] : idByContinuation[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknownTokenID] }
            result.append(found)
            start = end
        }
        return result
    }

    private func appendPieces(of run: Substring, to ids: inout [Int32], limit: Int) {
        guard !run.isEmpty else { return }
        for word in preTokenizer.words(in: run) {
            for id in pieceIDs(forWord: word) {
                guard ids.count - 1 < limit else { return }
                ids.append(id)
            }
        }
    }

    /// The special token spelled at `index`, if any, and where it ends (longest name wins).
    private func specialToken(at index: String.UnicodeScalarView.Index, in scalars: String.UnicodeScalarView) -> (Int32, String.UnicodeScalarView.Index)? {
        var best: (Int32, String.UnicodeScalarView.Index, Int)?
        for special in specialTokens {
            var position = index
            var matched = true
            for expected in special.scalars {
                guard position < scalars.endIndex, scalars[position] == expected else { matched = false; break }
                position = scalars.index(after: position)
            }
            if matched, special.scalars.count > (best?.2 ?? 0) { best = (special.id, position, special.scalars.count) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// A vocabulary entry compared by its exact scalars (UTF-8 bytes), not by String's canonical
    /// equivalence, which would let a precomposed entry answer for a decomposed word. Pieces of up
    /// to 15 UTF-8 bytes are stored inline in the String, so the table costs no allocation per entry.
    struct Piece: Hashable, Sendable {
        let text: String
        init(_ text: String) { self.text = text }
        static func == (lhs: Piece, rhs: Piece) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }
        // String's own hash: byte-equal texts are canonically equal, so they hash alike (a
        // canonically equal pair that differs in bytes merely collides), and for ASCII it hashes
        // the bytes in one call instead of one call per byte.
        func hash(into hasher: inout Hasher) { hasher.combine(text) }
    }
}
