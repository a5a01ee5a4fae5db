/// Turns text into the terms BM25 counts. The compiler runs it over every chunk and the daemon
/// over every query, so both sides see exactly the same terms; `version` is stored in the lexicon
/// and a daemon refuses a lexicon written by another version.
///
/// Steps, in order: lower-case; fold accents (é → e, ß → ss) and typographic apostrophes; cut at
/// word boundaries (letters and digits form words; see `wordEnd` for the joiners that keep
/// `401(k)`, `I-9`, `$5,000` and `1.5` whole); drop stopwords; stem words of letters with the
/// Snowball English stemmer. Words with digits are kept as written, minus their joiners:
/// `401(k)` → `401k`, `$5,000` → `5000`, `SOC 2` → `soc`, `2`. A word joined by a hyphen or slash
/// next to a digit also yields its parts, so `I-9` → `i9`, `9` (`i` is a stopword) and `SOC-2` →
/// `soc2`, `soc`, `2` match both `I9` and `SOC 2`.
public enum SearchTokenizer {
    /// Bumped whenever any step changes what a text turns into (2: parts of hyphen/slash codes).
    public static let version: UInt32 = 2

    /// A short English list (Lucene's, without "no" and "not", which change a policy's meaning,
    /// plus the pronouns and auxiliaries every question has).
    public static let stopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of", "on", "or",
        "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
        "i", "me", "my", "we", "our", "you", "your", "do", "does", "what", "how", "which",
    ]

    /// The search terms of `text`, in order, repeats kept.
    public static func terms(_ text: String) -> [String] {
        words(text).compactMap { word in
            if stopwords.contains(word) { return nil }
            return word.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) ? word : EnglishStemmer.stem(word)
        }
    }

    /// The words of `text`, lower-cased and folded, before stopwords and stemming.
    public static func words(_ text: String) -> [String] {
        let scalars = fold(text)
        var words: [String] = []
        var index = 0
        while index < scalars.count {
            guard isWordCharacter(scalars[index]) else { index += 1; continue }
            let (end, word, splits) = wordEnd(scalars, from: index)
            let trimmed = word.trimmingApostrophes()
            if !trimmed.isEmpty { words.append(trimmed) }
            // The parts between hyphen or slash joiners, as words of their own.
            let letters = Array(word.unicodeScalars)
            for (from, to) in zip([0] + splits, splits + [letters.count]) where from < to {
                let part = String(String.UnicodeScalarView(letters[from..<to])).trimmingApostrophes()
                if !splits.isEmpty, !part.isEmpty { words.append(part) }
            }
            index = end
        }
        return words
    }

    /// Reads one word starting at `start`; returns where it ends and its normalised text.
    /// Joiners kept inside a word: an apostrophe between letters (`employee's`); `,` and `.`
    /// between digits (`5,000` → `5000`, `1.5`); a hyphen or slash next to a digit (`I-9` → `i9`,
    /// `24/7` → `247`); and a parenthesised letter or two right after digits (`401(k)` → `401k`).
    /// `splits` are the offsets in `word` where a hyphen or slash joiner stood.
    static func wordEnd(_ scalars: [Unicode.Scalar], from start: Int) -> (end: Int, word: String, splits: [Int]) {
        var word = String.UnicodeScalarView()
        var splits: [Int] = []
        var index = start
        func at(_ offset: Int) -> Unicode.Scalar? { scalars.indices.contains(offset) ? scalars[offset] : nil }
        while let scalar = at(index) {
            if isWordCharacter(scalar) {
                word.append(scalar)
                index += 1
                continue
            }
            let previous = at(index - 1), next = at(index + 1)
            guard let previous, let next, isWordCharacter(next) else { break }
            switch scalar {
            case "'" where isLetter(previous) && isLetter(next):
                word.append(scalar)
            case ",", ".":
                guard isDigit(previous), isDigit(next) else { return (index, String(word), splits) }
                if scalar == "." { word.append(scalar) }
            case "-", "/":
                guard isDigit(previous) || isDigit(next) else { return (index, String(word), splits) }
                splits.append(word.count)
            case "(":
                // 401(k), 403(b): one or two letters or digits in parentheses right after digits.
                guard isDigit(previous) else { return (index, String(word), splits) }
                var close = index + 1
                while let inner = at(close), isWordCharacter(inner), close - index <= 2 { close += 1 }
                guard at(close) == ")", close > index + 1 else { return (index, String(word), splits) }
                for inner in scalars[(index + 1)..<close] { word.append(inner) }
                return (close + 1, String(word), splits)
            default:
                return (index, String(word), splits)
            }
            index += 1
        }
        return (index, String(word), splits)
    }

    /// Lower-cased scalars with accents and typographic apostrophes folded.
    static func fold(_ text: String) -> [Unicode.Scalar] {
        var folded: [Unicode.Scalar] = []
        folded.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            // ASCII, most of every query: lower-cased here, without the Unicode tables' lookups.
            if scalar.isASCII {
                folded.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(UInt8(scalar.value) + 0x20) : scalar)
                continue
            }
            // Combining marks (U+0300–U+036F) left by decomposed text: drop, as the fold drops accents.
            if (0x300...0x36F).contains(scalar.value) { continue }
            if scalar == "\u{2019}" || scalar == "\u{2018}" { folded.append("'"); continue }
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                if let replacement = AccentFolding.table[lower] {
                    folded.append(contentsOf: replacement.unicodeScalars)
                } else {
                    folded.append(lower)
                }
            }
        }
        return folded
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool { isLetter(scalar) || isDigit(scalar) }
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) : scalar.properties.isAlphabetic
    }
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? ("0"..."9").contains(scalar) : scalar.properties.numericType == .decimal
    }
}

extension String {
    /// Without apostrophes at either end (`'tis`, `employees'`).
    fileprivate func trimmingApostrophes() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while scalars.first == "'" { scalars.removeFirst() }
        while scalars.last == "'" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
