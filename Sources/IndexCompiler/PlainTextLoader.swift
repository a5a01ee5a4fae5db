/// Reads a plain-text policy (docs/CORPUS.md): front matter, then headings underlined with `=`
/// (level 1) or `-` (level 2), paragraphs separated by blank lines, and lists whose items start
/// with "- ", "* " or "1. ".
///
/// A heading is any single line directly above an underline of three or more `=` or `-`; the
/// Title Case the conventions ask for is not enforced. Paragraph lines are joined with spaces.
/// A line right below an item that does not start an item continues that item, and items
/// separated only by blank lines are one list, unless the list changes between bullets and numbers.
enum PlainTextLoader {
    static func load(path: String, text: SourceText) throws(CompileError) -> SourceDocument {
        let frontMatter = try FrontMatter.parse(text, path: path)
        var reader = Reader(text: text)
        reader.read(from: frontMatter.lineCount)
        let firstTitle = reader.blocks.first { $0.kind == .heading(level: 1) }?.text
        let title = frontMatter.fields["title"] ?? firstTitle ?? DocumentLoader.fileStem(path)
        return SourceDocument(path: path, title: title, metadata: frontMatter.fields, text: text.string, blocks: reader.blocks)
    }

    /// Walks the lines once, keeping the block being built.
    private struct Reader {
        let text: SourceText
        var blocks: [DocumentBlock] = []
        private var paragraph: [Int] = []              // line indexes
        private var items: [(indent: Int, marker: String, text: String)] = []
        private var listLines: [Int] = []

        init(text: SourceText) { self.text = text }

        mutating func read(from firstLine: Int) {
            var index = firstLine
            let lines = text.lines
            while index < lines.count {
                let line = lines[index]
                if line.isBlank {
                    flushParagraph()
                    index += 1
                    continue
                }
                if index + 1 < lines.count, let level = Self.underlineLevel(lines[index + 1].text),
                   Self.listItem(line.text) == nil {
                    flushParagraph()
                    flushList()
                    blocks.append(DocumentBlock(kind: .heading(level: level), text: line.text.collapsingWhitespace(),
                                                sourceRange: text.range(lines: index + 1, through: index + 2)))
                    index += 2
                    continue
                }
                if let item = Self.listItem(line.text) {
                    flushParagraph()
                    if let previous = items.last, listLines.last != index - 1,
                       previous.indent == item.indent, (previous.marker == "- ") != (item.marker == "- ") {
                        flushList()   // after a blank line, a bulleted list and a numbered one are two lists
                    }
                    items.append(item)
                    listLines.append(index)
                } else if !items.isEmpty && paragraph.isEmpty && listLines.last == index - 1 {
                    // A continuation line of the item above.
                    items[items.count - 1].text += " " + line.text.collapsingWhitespace()
                    listLines.append(index)
                } else {
                    flushList()
                    paragraph.append(index)
                }
                index += 1
            }
            flushParagraph()
            flushList()
        }

        private mutating func flushParagraph() {
            guard let first = paragraph.first, let last = paragraph.last else { return }
            let joined = paragraph.map { text.lines[$0].text }.joined(separator: " ").collapsingWhitespace()
            blocks.append(DocumentBlock(kind: .paragraph, text: joined, sourceRange: text.range(lines: first + 1, through: last + 1)))
            paragraph = []
        }

        /// Ends the current list. Blank lines alone do not end a list, so a loose list stays one block.
        private mutating func flushList() {
            guard let first = listLines.first, let last = listLines.last else { return }
            let indents = Set(items.map(\.indent)).sorted()
            let rendered = items.map { item in
                String(repeating: "  ", count: indents.firstIndex(of: item.indent) ?? 0) + item.marker + item.text
            }.joined(separator: "\n")
            blocks.append(DocumentBlock(kind: .list, text: rendered, sourceRange: text.range(lines: first + 1, through: last + 1)))
            items = []
            listLines = []
        }

        /// 1 for a line of `=`, 2 for a line of `-` (at least three, trailing spaces allowed).
        static func underlineLevel(_ line: String) -> Int? {
            let trimmed = line.trimmingWhitespace()
            guard trimmed.count >= 3, line.first == trimmed.first else { return nil }
            if trimmed.allSatisfy({ $0 == "=" }) { return 1 }
            if trimmed.allSatisfy({ $0 == "-" }) { return 2 }
            return nil
        }

        /// The indent, normalized marker and text of a list item line.
        static func listItem(_ line: String) -> (indent: Int, marker: String, text: String)? {
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            let rest = line.dropFirst(indent)
            if rest.hasPrefix("- ") || rest.hasPrefix("* ") {
                return (indent, "- ", rest.dropFirst(2).trimmingWhitespace())
            }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9, rest.dropFirst(digits.count).hasPrefix(". ") else { return nil }
            return (indent, "\(digits). ", rest.dropFirst(digits.count + 2).trimmingWhitespace())
        }
    }
}
