@_spi(_Unicode) import Swift
import Testing
@testable import Embeddings

/// Tricky inputs for the tokenizer on a small vocabulary, so each rule is visible in isolation.
/// (The golden fixture checks the same rules against the reference on the real vocabulary.)
@Suite struct WordPieceTokenizerTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",                       // 0-4
        "play", "##ing", "##ed", "un", "##play", "##able",                 // 5-10
        "cafe", "!", "$", ",", ".", "(", ")", "5", "000", "401", "k",      // 11-21
        "我", "国", "e", "naive", "é", "a", "b", "@", "x",                   // 22-30
    ]
    static let tokenizer = try! WordPieceTokenizer(vocabulary: vocabulary.joined(separator: "\n") + "\n", maximumTokenCount: 12)

    static func ids(_ pieces: String...) -> [Int32] {
        [2] + pieces.map { Int32(vocabulary.firstIndex(of: $0)!) } + [3]
    }

    static let cases: [(String, [Int32], String)] = [
        ("", ids(), "empty text gives only the specials"),
        ("   \t\n ", ids(), "whitespace only"),
        ("playing", ids("play", "##ing"), "longest match first, then ## continuation"),
        ("unplayable", ids("un", "##play", "##able"), "three pieces"),
        ("PLAYED", ids("play", "##ed"), "lower-cased"),
        ("playz", ids("[UNK]"), "an unmatched piece makes the whole word [UNK]"),
        ("Café", ids("cafe"), "accent stripped after NFD"),
        ("cafe\u{301}", ids("cafe"), "decomposed accent stripped"),
        ("NAÏVE", ids("naive"), "upper-case accented"),
        ("play!!", ids("play", "!", "!"), "each punctuation scalar is its own word"),
        ("$5,000.", ids("$", "5", ",", "000", "."), "money splits on symbols"),
        ("401(k)", ids("401", "(", "k", ")"), "parentheses split"),
        ("a@b", ids("a", "@", "b"), "e-mail at sign splits"),
        ("我国", ids("我", "国"), "CJK ideographs are separate words"),
        ("play\u{0}ing\u{7}", ids("play", "##ing"), "control characters dropped, not split on"),
        ("play\u{200B}ing", ids("play", "##ing"), "format characters (Cf) dropped"),
        ("play\u{A0}ing", ids("play", "[UNK]"), "no-break space separates words (and \"ing\" alone is no word)"),
        ("a [SEP] b", ids("a", "[SEP]", "b"), "special-token literals keep their ids"),
        ("[sep]", ids("[UNK]", "[UNK]", "[UNK]"), "only the exact spelling is special; otherwise brackets split"),
        ("é", ids("e"), "precomposed é is decomposed, so the vocabulary's é entry is not used"),
        (String(repeating: "x", count: 101), ids("[UNK]"), "a word over 100 scalars is [UNK]"),
        ("a a a a a a a a a a a a a", ids("a", "a", "a", "a", "a", "a", "a", "a", "a", "a"), "truncated to 12 with the specials"),
    ]

    @Test(arguments: cases.indices)
    func tokenizes(_ index: Int) {
        let (text, expected, rule) = Self.cases[index]
        #expect(Self.tokenizer.tokenIDs(for: text) == expected, "\(rule)")
    }

    @Test func wordOfExactlyOneHundredScalarsIsStillSplit() {
        let word = Array(String(repeating: "x", count: 100).unicodeScalars)
        #expect(Self.tokenizer.pieceIDs(forWord: word) == [Self.tokenizer.unknownTokenID])  // no "##x" piece: unmatched
        let tokenizer = try! WordPieceTokenizer(vocabulary: "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nx\n##x\n", maximumTokenCount: 8)
        #expect(tokenizer.pieceIDs(forWord: word) == [5] + Array(repeating: 6, count: 99))
        #expect(tokenizer.pieceIDs(forWord: word + ["x"]) == [1])
    }

    @Test func vocabularyWithoutSpecialTokensIsRejected() {
        #expect(throws: EmbeddingError.invalidVocabulary(path: "v.txt", reason: "it lacks the special token [CLS]")) {
            try WordPieceTokenizer(vocabulary: "[PAD]\n[UNK]\nhello\n", maximumTokenCount: 8, path: "v.txt")
        }
        #expect(throws: EmbeddingError.invalidVocabulary(path: "v.txt", reason: "it has no lines")) {
            try WordPieceTokenizer(vocabulary: "", maximumTokenCount: 8, path: "v.txt")
        }
    }

    @Test func punctuationClassesFollowBERT() {
        for scalar in ["$", "^", "`", "~", "¿", "«", "—", "…", "§"] as [Unicode.Scalar] {
            #expect(BertPreTokenizer.isPunctuation(scalar), "\(scalar)")
        }
        for scalar in ["a", "€", "5", "☃", " "] as [Unicode.Scalar] {
            #expect(!BertPreTokenizer.isPunctuation(scalar), "\(scalar)")
        }
    }

    @Test func asciiShortcutsAgreeWithTheUnicodeTables() {
        // BertPreTokenizer answers ASCII without Unicode's property tables; each of the 128
        // scalars must get what the tables say (the rule each helper documents).
        for value in UInt8(0)...UInt8(127) {
            let scalar = Unicode.Scalar(value)
            let properties = scalar.properties
            #expect(BertPreTokenizer.isSeparator(scalar) == properties.isWhitespace, "U+\(value)")
            #expect(BertPreTokenizer.isWhitespace(scalar) == ("\t\n\r".unicodeScalars.contains(scalar) || properties.isWhitespace), "U+\(value)")
            let other: Set<Unicode.GeneralCategory> = [.control, .format, .surrogate, .privateUse, .unassigned]
            let removed = !"\t\n\r".unicodeScalars.contains(scalar) && (value == 0 || other.contains(properties.generalCategory))
            #expect(BertPreTokenizer.isRemovedByCleaning(scalar) == removed, "U+\(value)")
            #expect([BertPreTokenizer.lowercasedASCII(scalar)] == Array(properties.lowercaseMapping.unicodeScalars), "U+\(value)")
            // The all-ASCII path skips NFD and the mark filter: neither changes ASCII.
            #expect(properties.generalCategory != .nonspacingMark && Array(String(scalar)._nfd) == [scalar], "U+\(value)")
        }
    }
}
