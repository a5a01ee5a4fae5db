// NFD decomposition comes from the standard library's SPI (the same one swift-foundation uses),
// so the Embeddings module needs no ICU and no full Foundation.
@_spi(_Unicode) import Swift

/// BERT's uncased text normalisation and word splitting, on Unicode scalars, as Hugging Face
/// `tokenizers` does it (`BertNormalizer` with clean_text, handle_chinese_chars, strip_accents
/// following lowercase, then `BertPreTokenizer`), which is what sentence-transformers runs:
///
/// 1. clean: drop U+0000, U+FFFD and "other" scalars (Cc, Cf, Cs, Co, Cn) except tab, newline
///    and carriage return; turn every whitespace scalar into a space;
/// 2. put spaces around CJK ideographs;
/// 3. NFD, then drop nonspacing marks (Mn): accents go;
/// 4. lower-case each scalar with its full, context-free mapping;
/// 5. split on whitespace, and isolate every punctuation scalar (ASCII symbols and Unicode P*).
public struct BertPreTokenizer: Sendable {
    public var lowercasesAndStripsAccents: Bool

    public init(lowercasesAndStripsAccents: Bool = true) {
        self.lowercasesAndStripsAccents = lowercasesAndStripsAccents
    }

    /// The words of `text`, each an array of scalars, after normalisation.
    public func words(in text: Substring) -> [[Unicode.Scalar]] {
        var cleaned = ""
        cleaned.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if Self.isRemovedByCleaning(scalar) { continue }
            let mapped: Unicode.Scalar = Self.isWhitespace(scalar) ? " " : scalar
            if Self.isChineseIdeograph(mapped) {
                cleaned.unicodeScalars.append(" ")
                cleaned.unicodeScalars.append(mapped)
                cleaned.unicodeScalars.append(" ")
            } else {
                cleaned.unicodeScalars.append(mapped)
            }
        }
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(cleaned.unicodeScalars.count)
        if lowercasesAndStripsAccents {
            if cleaned.utf8.allSatisfy({ $0 < 0x80 }) {
                // ASCII, most questions: NFD leaves it as it is and it has no marks to drop.
                for scalar in cleaned.unicodeScalars { normalized.append(Self.lowercasedASCII(scalar)) }
            } else {
                for scalar in cleaned._nfd where scalar.properties.generalCategory != .nonspacingMark {
                    if scalar.isASCII {
                        normalized.append(Self.lowercasedASCII(scalar))
                    } else {
                        normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                    }
                }
            }
        } else {
            normalized.append(contentsOf: cleaned.unicodeScalars)
        }
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalized {
            if Self.isSeparator(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    // The ASCII answers below are what Unicode's tables say for those 128 scalars
    // (`WordPieceTokenizerTests`), without the table look-ups: a question spends most of its
    // tokenizing time in them otherwise.

    /// Tab, newline and carriage return, plus every scalar with Unicode's White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || isSeparator(scalar)
    }

    /// A scalar with Unicode's White_Space property: words end there.
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }

    /// A–Z lower-cased; every other ASCII scalar as it is.
    static func lowercasedASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar
    }

    /// U+0000, U+FFFD and the "other" categories (Cc, Cf, Cs, Co, Cn), except tab, newline and CR.
    static func isRemovedByCleaning(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }   // the ASCII controls (Cc)
        if scalar.value == 0 || scalar.value == 0xFFFD { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// The CJK ideograph blocks BERT isolates (the same ranges as Hugging Face's `is_chinese_char`).
    static func isChineseIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// ASCII symbols (`!`–`/`, `:`–`@`, `[`–`` ` ``, `{`–`~`) and Unicode punctuation (P*).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<128: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}
