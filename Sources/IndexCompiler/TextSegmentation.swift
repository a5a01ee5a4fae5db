/// Sentence boundaries for splitting long paragraphs: a `.`, `?` or `!` (optionally followed by a
/// closing quote or bracket) then white space then an upper-case letter, digit, quote or bracket —
/// except after common abbreviations ("e.g.", "U.S.", "Inc.").
enum TextSegmentation {
    static let abbreviations: Set<String> = ["e.g", "i.e", "etc", "vs", "inc", "no", "mr", "mrs", "ms", "dr", "st", "u.s", "approx", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig", "sec"]

    static func sentences(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var sentences: [String] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "." || scalar == "?" || scalar == "!" {
                var end = index + 1
                while end < scalars.count, "\"')]”’".unicodeScalars.contains(scalars[end]) { end += 1 }
                var next = end
                while next < scalars.count, scalars[next].properties.isWhitespace { next += 1 }
                if next > end, next < scalars.count, startsSentence(scalars[next]), !(scalar == "." && isAbbreviation(scalars, before: index)) {
                    sentences.append(String(String.UnicodeScalarView(scalars[start..<end])))
                    start = next
                    index = next
                    continue
                }
            }
            index += 1
        }
        if start < scalars.count {
            let rest = String(String.UnicodeScalarView(scalars[start...]))
            if !rest.allSatisfy(\.isWhitespace) { sentences.append(rest) }
        }
        return sentences
    }

    private static func startsSentence(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isUppercase || ("0"..."9").contains(scalar) || "\"'([“‘$".unicodeScalars.contains(scalar)
    }

    /// True when the word ending at `period` is a known abbreviation (or a single letter, as in "J. Smith").
    private static func isAbbreviation(_ scalars: [Unicode.Scalar], before period: Int) -> Bool {
        var start = period
        while start > 0, !scalars[start - 1].properties.isWhitespace, scalars[start - 1] != "(" { start -= 1 }
        let word = String(String.UnicodeScalarView(scalars[start..<period])).lowercased()
        return word.count == 1 || abbreviations.contains(word)
    }
}
