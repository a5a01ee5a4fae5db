/// The `---`-fenced block of `key: value` lines at the very start of a Markdown or plain-text policy
/// (docs/CORPUS.md, "File conventions").
///
/// ```
/// ---
/// title: Travel Policy
/// owner: People Operations (Chief People Officer)
/// ---
/// ```
///
/// Values are trimmed and one pair of surrounding quotes (`"…"` or `'…'`) is removed. Blank lines
/// inside the block are allowed; anything else without a colon is an error, as are an empty key,
/// a repeated key and a block that never closes.
struct FrontMatter: Equatable, Sendable {
    var fields: [String: String]
    /// Lines the block occupies, both `---` lines included; the body starts on line `lineCount + 1`.
    var lineCount: Int

    static let empty = FrontMatter(fields: [:], lineCount: 0)

    /// Reads the front matter of `text`, or `.empty` when the first line is not `---`.
    static func parse(_ text: SourceText, path: String) throws(CompileError) -> FrontMatter {
        guard let first = text.lines.first, isFence(first.text) else { return .empty }
        // Find the closing line first: a missing one explains any line that looks wrong after it.
        guard let closing = text.lines.indices.dropFirst().first(where: { isFence(text.lines[$0].text) }) else {
            throw .invalidFrontMatter(path: path, line: 1, reason: "the `---` block opened here is never closed")
        }
        var fields: [String: String] = [:]
        for index in 1..<closing {
            let line = text.lines[index].text
            let lineNumber = index + 1
            if text.lines[index].isBlank { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidFrontMatter(path: path, line: lineNumber, reason: "expected `key: value`, found no colon")
            }
            let key = line[..<colon].trimmingWhitespace()
            guard !key.isEmpty else {
                throw .invalidFrontMatter(path: path, line: lineNumber, reason: "the key before the colon is empty")
            }
            guard fields[key] == nil else {
                throw .invalidFrontMatter(path: path, line: lineNumber, reason: "the key `\(key)` appears twice")
            }
            fields[key] = unquoted(line[line.index(after: colon)...].trimmingWhitespace())
        }
        return FrontMatter(fields: fields, lineCount: closing + 1)
    }

    /// A `---` line (trailing spaces allowed).
    private static func isFence(_ line: String) -> Bool {
        line.trimmingWhitespace() == "---" && line.hasPrefix("---")
    }

    private static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first else {
            return value
        }
        return String(value.dropFirst().dropLast())
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        let scalars = String(self).unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
