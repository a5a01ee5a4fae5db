/// One piece of an HTML file: a start tag, an end tag, or a run of text. Ranges are scalar offsets.
enum HTMLToken: Equatable, Sendable {
    case startTag(name: String, attributes: [String: String], isSelfClosing: Bool, range: Range<Int>)
    case endTag(name: String, range: Range<Int>)
    /// Raw text, entities not yet decoded.
    case text(Range<Int>)
}

/// Splits HTML into tokens, tolerating anything: a `<` that starts no tag is text, a tag or comment
/// left open runs to the end of the file, and the content of `script` and `style` is skipped up to
/// their end tag (so a "</p>" inside a script is never markup). Comments, doctypes and processing
/// instructions are dropped. Tag and attribute names are lowercased; attribute values keep their
/// entities decoded.
struct HTMLTokenizer {
    /// Elements whose content is not markup: dropped (script, style) or kept as text (title, textarea).
    static let rawTextElements: Set<String> = ["script", "style", "title", "textarea"]

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private(set) var tokens: [HTMLToken] = []

    static func tokenize(_ scalars: [Unicode.Scalar]) -> [HTMLToken] {
        var tokenizer = HTMLTokenizer(scalars: scalars)
        tokenizer.run()
        return tokenizer.tokens
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private mutating func run() {
        while position < scalars.count {
            if scalars[position] == "<" && readMarkup() { continue }
            let start = position
            position += 1
            while position < scalars.count && scalars[position] != "<" { position += 1 }
            appendText(start..<position)
        }
    }

    /// Reads a tag, comment or declaration at `position`; false (nothing consumed) if `<` starts none.
    private mutating func readMarkup() -> Bool {
        let start = position
        if hasPrefix("<!--", at: start) {
            position = find("-->", from: start + 4).map { $0 + 3 } ?? scalars.count
            return true
        }
        if hasPrefix("<!", at: start) || hasPrefix("<?", at: start) {
            position = find(">", from: start + 2).map { $0 + 1 } ?? scalars.count
            return true
        }
        if hasPrefix("</", at: start), start + 2 < scalars.count, isLetter(scalars[start + 2]) {
            position = start + 2
            let name = readName()
            position = find(">", from: position).map { $0 + 1 } ?? scalars.count
            tokens.append(.endTag(name: name, range: start..<position))
            return true
        }
        guard start + 1 < scalars.count, isLetter(scalars[start + 1]) else { return false }
        position = start + 1
        let name = readName()
        var attributes: [String: String] = [:]
        var isSelfClosing = false
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == ">" { position += 1; break }
            if scalar.properties.isWhitespace { position += 1; continue }
            if scalar == "/" {
                position += 1
                if position < scalars.count && scalars[position] == ">" { isSelfClosing = true }
                continue
            }
            let attributeName = readAttributeName()
            guard !attributeName.isEmpty else { position += 1; continue }
            skipWhitespace()
            var value = ""
            if position < scalars.count && scalars[position] == "=" {
                position += 1
                skipWhitespace()
                value = readAttributeValue()
            }
            if attributes[attributeName] == nil { attributes[attributeName] = value }
        }
        tokens.append(.startTag(name: name, attributes: attributes, isSelfClosing: isSelfClosing, range: start..<position))
        if Self.rawTextElements.contains(name) && !isSelfClosing { readRawText(until: name) }
        return true
    }

    /// The content of a raw-text element, up to (not including) its end tag or the end of the file.
    private mutating func readRawText(until name: String) {
        let start = position
        var search = position
        while let candidate = find("</", from: search) {
            let nameEnd = candidate + 2 + name.unicodeScalars.count
            if nameEnd <= scalars.count,
               String(String.UnicodeScalarView(scalars[(candidate + 2)..<nameEnd])).lowercased() == name,
               nameEnd == scalars.count || !isNameCharacter(scalars[nameEnd]) {
                position = candidate
                if name == "title" || name == "textarea" { appendText(start..<candidate) }
                return
            }
            search = candidate + 2
        }
        position = scalars.count
        if name == "title" || name == "textarea" { appendText(start..<position) }
    }

    private mutating func appendText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if case .text(let previous)? = tokens.last, previous.upperBound == range.lowerBound {
            tokens[tokens.count - 1] = .text(previous.lowerBound..<range.upperBound)
        } else {
            tokens.append(.text(range))
        }
    }

    private mutating func readName() -> String {
        let start = position
        while position < scalars.count && isNameCharacter(scalars[position]) { position += 1 }
        return String(String.UnicodeScalarView(scalars[start..<position])).lowercased()
    }

    private mutating func readAttributeName() -> String {
        let start = position
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar.properties.isWhitespace || scalar == "=" || scalar == ">" || scalar == "/" { break }
            position += 1
        }
        return String(String.UnicodeScalarView(scalars[start..<position])).lowercased()
    }

    private mutating func readAttributeValue() -> String {
        guard position < scalars.count else { return "" }
        let quote = scalars[position]
        let start: Int
        if quote == "\"" || quote == "'" {
            start = position + 1
            let end = find(String(quote), from: start) ?? scalars.count
            position = min(end + 1, scalars.count)
            return HTMLEntities.decode(scalars[start..<end])
        }
        start = position
        while position < scalars.count && !scalars[position].properties.isWhitespace && scalars[position] != ">" {
            position += 1
        }
        return HTMLEntities.decode(scalars[start..<position])
    }

    private mutating func skipWhitespace() {
        while position < scalars.count && scalars[position].properties.isWhitespace { position += 1 }
    }

    private func hasPrefix(_ prefix: String, at index: Int) -> Bool {
        var offset = index
        for scalar in prefix.unicodeScalars {
            guard offset < scalars.count, scalars[offset] == scalar else { return false }
            offset += 1
        }
        return true
    }

    /// The offset of the next occurrence of `needle` at or after `index`.
    private func find(_ needle: String, from index: Int) -> Int? {
        guard let first = needle.unicodeScalars.first else { return nil }
        var offset = index
        while offset < scalars.count {
            if scalars[offset] == first && hasPrefix(needle, at: offset) { return offset }
            offset += 1
        }
        return nil
    }

    private func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && scalar.properties.isAlphabetic
    }

    private func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "-" || scalar == ":" || scalar == "_")
    }
}
