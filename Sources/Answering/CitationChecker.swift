/// Checks a model's answer against the passages it was sent: keeps `[n]` markers that name one of
/// them, removes the others, and caps the answer's length.
public enum CitationChecker {
    public struct Checked: Sendable, Equatable {
        /// The answer with only valid markers left, capped.
        public var answer: String
        /// Passage numbers cited, in order of first mention, each once.
        public var citedNumbers: [Int]
        /// Markers removed because they named no passage sent.
        public var removedCount: Int
    }

    /// Answers longer than this (in characters) are cut at the last sentence end before it.
    public static let maximumAnswerCharacterCount = 1_500

    /// Keeps markers `[n]` and `[n, m]` whose numbers are all in `validNumbers`; a marker naming
    /// one invalid number loses that number (and the marker when none remain).
    public static func check(_ answer: String, validNumbers: Set<Int>) -> Checked {
        var output = ""
        var cited: [Int] = []
        var removed = 0
        var scalars = Substring(capped(answer)).unicodeScalars[...]
        while let open = scalars.firstIndex(of: "[") {
            output.unicodeScalars.append(contentsOf: scalars[..<open])
            let afterOpen = scalars.index(after: open)
            guard let close = scalars[afterOpen...].firstIndex(of: "]"),
                  let numbers = parseNumbers(String(scalars[afterOpen..<close])) else {
                output.unicodeScalars.append("[")
                scalars = scalars[afterOpen...]
                continue
            }
            let valid = numbers.filter { validNumbers.contains($0) }
            removed += numbers.count - valid.count
            if !valid.isEmpty {
                output += "[" + valid.map(String.init).joined(separator: ", ") + "]"
                for number in valid where !cited.contains(number) { cited.append(number) }
            } else if output.last == " " {
                output.removeLast()   // "fact [9]." becomes "fact.", not "fact ."
            }
            scalars = scalars[scalars.index(after: close)...]
        }
        output.unicodeScalars.append(contentsOf: scalars)
        return Checked(answer: output.trimmingCharacters(), citedNumbers: cited, removedCount: removed)
    }

    /// "1", "1, 2", "1,2" → numbers; anything else (a link's text, "[sic]") → nil: not a citation.
    static func parseNumbers(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters() }
        guard !parts.isEmpty, parts.count <= 10 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let number = Int(part) else { return nil }
            numbers.append(number)
        }
        return numbers
    }

    /// `text` cut to the cap, at the last sentence end within it when there is one.
    static func capped(_ text: String) -> String {
        guard text.count > maximumAnswerCharacterCount else { return text }
        let head = text.prefix(maximumAnswerCharacterCount)
        if let end = head.lastIndex(where: { $0 == "." || $0 == "!" || $0 == "?" }) {
            // Keep citation markers that follow the sentence's full stop ("… [2]").
            var cut = head.index(after: end)
            let rest = head[cut...]
            if let markerEnd = rest.prefix(12).firstIndex(of: "]"), rest.prefix(12).trimmingPrefix(" ").first == "[" {
                cut = head.index(after: markerEnd)
            }
            return String(head[..<cut])
        }
        return String(head) + "…"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
