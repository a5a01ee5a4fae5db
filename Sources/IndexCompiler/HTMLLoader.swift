/// Reads an HTML policy (docs/CORPUS.md): `<title>` and the `policy-owner`, `policy-version` and
/// `policy-effective` meta tags into metadata; `h1`–`h6`, `p`, `ul`/`ol`, `table`, `blockquote` and
/// `pre` into blocks. Text outside those (directly in `body`, a `div` or an unknown element)
/// becomes a paragraph; unknown elements are transparent. Entities are decoded and whitespace
/// collapsed everywhere except in `pre`.
enum HTMLLoader {
    static let metadataNames = ["policy-owner": "owner", "policy-version": "version", "policy-effective": "effective"]
    /// Elements whose text runs on inside a paragraph; every other element is a block boundary.
    static let inlineElements: Set<String> = [
        "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img", "ins",
        "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
        "u", "var", "wbr",
    ]
    /// Elements that hold no document text.
    static let skippedElements: Set<String> = HTMLTree.droppedElements.union(["head", "title", "meta", "link", "base"])

    static func load(path: String, text: SourceText) -> SourceDocument {
        let tree = HTMLTree(tokens: HTMLTokenizer.tokenize(text.scalars), scalarCount: text.scalars.count)
        var reader = Reader(tree: tree, scalars: text.scalars)
        reader.readBlocks(of: 0)

        var metadata: [String: String] = [:]
        var title: String?
        for element in tree.elements {
            if element.name == "title", title == nil {
                title = reader.inlineText(of: element).nonEmpty
            } else if element.name == "meta", let name = element.attributes["name"]?.lowercased(),
                      let key = metadataNames[name], let content = element.attributes["content"] {
                metadata[key] = content.collapsingWhitespace()
            }
        }
        if let title { metadata["title"] = title }
        let firstTitle = reader.blocks.first { $0.kind == .heading(level: 1) }?.text
        return SourceDocument(path: path, title: title ?? firstTitle ?? DocumentLoader.fileStem(path),
                              metadata: metadata, text: text.string, blocks: reader.blocks)
    }

    /// The text of an HTML fragment with its markup removed (for raw HTML inside Markdown).
    static func plainText(ofFragment html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        let tree = HTMLTree(tokens: HTMLTokenizer.tokenize(scalars), scalarCount: scalars.count)
        return Reader(tree: tree, scalars: scalars).inlineText(of: tree.elements[0])
    }

    private struct Reader {
        let tree: HTMLTree
        let scalars: [Unicode.Scalar]
        var blocks: [DocumentBlock] = []

        init(tree: HTMLTree, scalars: [Unicode.Scalar]) {
            self.tree = tree
            self.scalars = scalars
        }

        /// Emits the blocks inside element `index`, gathering loose inline content into paragraphs.
        mutating func readBlocks(of index: Int) {
            var run: [HTMLTree.Child] = []
            for child in tree.elements[index].children {
                if case .element(let childIndex) = child, !HTMLLoader.inlineElements.contains(tree.elements[childIndex].name) {
                    flush(&run)
                    readBlock(childIndex)
                } else {
                    run.append(child)
                }
            }
            flush(&run)
        }

        private mutating func flush(_ run: inout [HTMLTree.Child]) {
            defer { run = [] }
            guard let first = run.first, let last = run.last else { return }
            let text = run.map(rawText(of:)).joined().collapsingWhitespace()
            guard !text.isEmpty else { return }
            blocks.append(DocumentBlock(kind: .paragraph, text: text, sourceRange: range(of: first).lowerBound..<range(of: last).upperBound))
        }

        private mutating func readBlock(_ index: Int) {
            let element = tree.elements[index]
            let kind: DocumentBlock.Kind
            let text: String
            switch element.name {
            case let name where HTMLLoader.skippedElements.contains(name): return
            case "h1", "h2", "h3", "h4", "h5", "h6":
                kind = .heading(level: Int(String(element.name.dropFirst())) ?? 1)
                text = inlineText(of: element)
            case "p": (kind, text) = (.paragraph, inlineText(of: element))
            case "ul", "ol": (kind, text) = (.list, listLines(element, indent: "").joined(separator: "\n"))
            case "table": (kind, text) = (.table, tableLines(element, indent: "").joined(separator: "\n"))
            case "pre": (kind, text) = (.code, preformattedText(of: element))
            case "blockquote":
                var inner = Reader(tree: tree, scalars: scalars)
                inner.readBlocks(of: index)
                (kind, text) = (.quote, inner.blocks.map(\.text).joined(separator: "\n"))
            default:
                readBlocks(of: index)
                return
            }
            guard !text.isEmpty else { return }
            blocks.append(DocumentBlock(kind: kind, text: text, sourceRange: element.range))
        }

        /// One line per `li` ("- " or "1. "), nested lists and tables indented by two spaces.
        private func listLines(_ list: HTMLTree.Element, indent: String) -> [String] {
            var number = Int(list.attributes["start"] ?? "") ?? 1
            var lines: [String] = []
            for case .element(let index) in list.children {
                let item = tree.elements[index]
                guard !HTMLLoader.skippedElements.contains(item.name) else { continue }
                let marker = list.name == "ol" ? "\(number). " : "- "
                number += 1
                var text: [HTMLTree.Child] = []
                var nested: [String] = []
                for child in item.name == "li" ? item.children : [.element(index)] {
                    if case .element(let childIndex) = child {
                        let element = tree.elements[childIndex]
                        switch element.name {
                        case "ul", "ol": nested += listLines(element, indent: indent + "  "); continue
                        case "table": nested += tableLines(element, indent: indent + "  "); continue
                        default: break
                        }
                    }
                    if nested.isEmpty { text.append(child) } else { nested.append(indent + "  " + inlineText(of: child)) }
                }
                lines.append((indent + marker + text.map(rawText(of:)).joined().collapsingWhitespace()).trimmingTrailingSpaces())
                lines += nested.filter { !$0.allSatisfy { $0 == " " } }
            }
            return lines
        }

        /// One line per `tr` with cells, cells (`th`, `td`) joined by " | "; nested tables stay in their cell.
        private func tableLines(_ table: HTMLTree.Element, indent: String) -> [String] {
            var lines: [String] = []
            func visit(_ element: HTMLTree.Element) {
                for case .element(let index) in element.children {
                    let child = tree.elements[index]
                    if child.name == "tr" {
                        let cells = child.children.compactMap { cell -> String? in
                            guard case .element(let cellIndex) = cell else { return nil }
                            let element = tree.elements[cellIndex]
                            return element.name == "td" || element.name == "th" ? inlineText(of: element) : nil
                        }
                        if !cells.isEmpty { lines.append(indent + cells.joined(separator: " | ")) }
                    } else if child.name != "table" {
                        visit(child)
                    }
                }
            }
            visit(table)
            return lines
        }

        /// The text of an element or a text run as one line, entities decoded, whitespace collapsed.
        func inlineText(of child: HTMLTree.Child) -> String {
            rawText(of: child).collapsingWhitespace()
        }

        func inlineText(of element: HTMLTree.Element) -> String {
            rawText(of: element).collapsingWhitespace()
        }

        /// Text with entities decoded but whitespace as written; block boundaries and `br` become spaces.
        private func rawText(of child: HTMLTree.Child) -> String {
            switch child {
            case .element(let index): rawText(of: tree.elements[index])
            case .text(let range): HTMLEntities.decode(scalars[range])
            }
        }

        private func rawText(of element: HTMLTree.Element) -> String {
            guard !HTMLLoader.skippedElements.contains(element.name) || element.name == "title" else { return "" }
            if element.name == "br" { return " " }
            let isBlock = element.name != "#document" && !HTMLLoader.inlineElements.contains(element.name)
            let inner = element.children.map(rawText(of:)).joined()
            return isBlock ? " " + inner + " " : inner
        }

        /// The text of a `pre` as written, markup removed: no collapsing, one leading newline and
        /// trailing newlines dropped.
        private func preformattedText(of element: HTMLTree.Element) -> String {
            func raw(_ element: HTMLTree.Element) -> String {
                element.children.map { child in
                    switch child {
                    case .text(let range): HTMLEntities.decode(scalars[range])
                    case .element(let index): tree.elements[index].name == "br" ? "\n" : raw(tree.elements[index])
                    }
                }.joined()
            }
            var text = raw(element)
            if text.first == "\n" { text.removeFirst() }
            while let last = text.last, last.isWhitespace { text.removeLast() }
            return text
        }

        private func range(of child: HTMLTree.Child) -> Range<Int> {
            switch child {
            case .element(let index): tree.elements[index].range
            case .text(let range): range
            }
        }
    }
}

extension String {
    /// nil for an empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
