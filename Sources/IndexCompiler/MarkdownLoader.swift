/// Reads a Markdown policy (GitHub-flavoured, parsed by cmark-gfm) into blocks: headings,
/// paragraphs, whole lists, whole tables, code blocks and block quotes, each as plain text.
///
/// The front matter is blanked out (each of its lines becomes empty) before parsing, so cmark never
/// sees it as content and its line numbers still match the file's. Each block's `sourceRange` runs
/// from its first source position to the end of its last source line.
enum MarkdownLoader {
    static func load(path: String, text: SourceText) throws(CompileError) -> SourceDocument {
        let frontMatter = try FrontMatter.parse(text, path: path)
        let markdown = text.lines.enumerated()
            .map { index, line in index < frontMatter.lineCount ? "" : line.text }
            .joined(separator: "\n")
        let tree = try CmarkDocument(markdown: markdown, path: path).tree()

        var blocks: [DocumentBlock] = []
        for node in tree.children {
            guard let (kind, blockText) = block(for: node), !blockText.isEmpty else { continue }
            let start = text.scalarOffset(line: node.startLine, byteColumn: node.startColumn)
            let lines = text.range(lines: node.startLine, through: node.lastLine)
            blocks.append(DocumentBlock(kind: kind, text: blockText,
                                        sourceRange: min(start, lines.upperBound)..<lines.upperBound))
        }
        let firstTitle = blocks.first { $0.kind == .heading(level: 1) }?.text
        let title = frontMatter.fields["title"] ?? firstTitle ?? DocumentLoader.fileStem(path)
        return SourceDocument(path: path, title: title, metadata: frontMatter.fields, text: text.string, blocks: blocks)
    }

    /// The kind and plain text of a top-level node, or nil for nodes that carry no text (rules).
    private static func block(for node: MarkdownNode) -> (DocumentBlock.Kind, String)? {
        switch node.kind {
        case .heading(let level): (.heading(level: level), inlineText(node))
        case .paragraph: (.paragraph, inlineText(node))
        case .list: (.list, listLines(node, indent: "").joined(separator: "\n"))
        case .table: (.table, tableLines(node, indent: "").joined(separator: "\n"))
        case .codeBlock: (.code, codeText(node))
        case .blockQuote: (.quote, nestedLines(node.children, indent: "").joined(separator: "\n"))
        case .htmlBlock: (.paragraph, HTMLLoader.plainText(ofFragment: node.literal))
        case .thematicBreak: nil
        default: (.paragraph, inlineText(node))
        }
    }

    /// Inline content as one line: markup dropped, link and code text kept, line breaks as spaces.
    static func inlineText(_ node: MarkdownNode) -> String {
        var pieces = ""
        appendInline(node, to: &pieces)
        return pieces.collapsingWhitespace()
    }

    private static func appendInline(_ node: MarkdownNode, to result: inout String) {
        switch node.kind {
        case .text, .code: result += node.literal
        case .softBreak, .lineBreak: result += " "
        case .htmlInline: break
        case .codeBlock: result += " " + node.literal + " "
        default:
            for child in node.children {
                appendInline(child, to: &result)
                if child.isBlockLike { result += " " }
            }
        }
    }

    /// One line per item ("- " or "3. "), nested content indented by two spaces.
    private static func listLines(_ list: MarkdownNode, indent: String) -> [String] {
        guard case .list(let isOrdered, let start) = list.kind else { return [] }
        var lines: [String] = []
        for (index, item) in list.children.enumerated() {
            let marker = isOrdered ? "\(start + index). " : "- "
            var text: [String] = []
            var nested: [String] = []
            // Anything but an item here comes from flattening past CmarkDocument.maximumDepth.
            for child in item.kind == .item ? item.children : [item] {
                if child.kind == .paragraph || !child.isBlockLike || child.kind.isHeading {
                    if nested.isEmpty { text.append(inlineText(child)) } else { nested.append(indent + "  " + inlineText(child)) }
                } else {
                    nested += nestedLines([child], indent: indent + "  ")
                }
            }
            lines.append((indent + marker + text.joined(separator: " ")).trimmingTrailingSpaces())
            lines += nested
        }
        return lines
    }

    /// Block content inside a list item or a quote: lists and tables keep their lines, other
    /// blocks become one line each.
    private static func nestedLines(_ nodes: [MarkdownNode], indent: String) -> [String] {
        var lines: [String] = []
        for node in nodes {
            switch node.kind {
            case .list: lines += listLines(node, indent: indent)
            case .table: lines += tableLines(node, indent: indent)
            case .codeBlock: lines += codeText(node).split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }
            case .blockQuote: lines += nestedLines(node.children, indent: indent)
            case .htmlBlock: lines.append(indent + HTMLLoader.plainText(ofFragment: node.literal))
            case .thematicBreak: continue
            default: lines.append(indent + inlineText(node))
            }
        }
        return lines.filter { !$0.allSatisfy { $0 == " " } }
    }

    /// One line per row, header first, cells joined by " | ".
    private static func tableLines(_ table: MarkdownNode, indent: String) -> [String] {
        table.children.map { row in
            indent + row.children.map { inlineText($0) }.joined(separator: " | ")
        }
    }

    private static func codeText(_ node: MarkdownNode) -> String {
        var literal = node.literal
        while literal.last == "\n" { literal.removeLast() }
        return literal
    }
}

extension MarkdownNode.Kind {
    var isHeading: Bool { if case .heading = self { true } else { false } }
}

extension MarkdownNode {
    /// Whether the node is a block, so text on either side of it needs a separating space.
    var isBlockLike: Bool {
        switch kind {
        case .paragraph, .heading, .list, .item, .blockQuote, .codeBlock, .htmlBlock, .table, .tableRow, .tableCell: true
        default: false
        }
    }
}

extension String {
    /// Runs of whitespace as one space, none at either end.
    func collapsingWhitespace() -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(scalar)
            }
        }
        return String(result)
    }

    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
