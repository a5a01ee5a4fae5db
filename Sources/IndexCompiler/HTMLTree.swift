/// A forgiving element tree built from `HTMLTokenizer` tokens, stored as an array of elements
/// (index 0 is the document).
///
/// The rules are a small subset of the HTML parsing algorithm, enough for hand-written pages:
/// void elements never take children; `p` and `h1`–`h6` close at the next block; `li`, `tr`, `td`/`th`, `dt`/`dd`
/// and table sections close their open sibling; an end tag closes the nearest open element of its
/// name and everything opened inside it, and an end tag with no open element is ignored.
/// `noscript` and `template` are dropped with their content. Nothing here can fail.
struct HTMLTree: Sendable {
    enum Child: Sendable {
        case element(Int)
        /// Raw text (entities not decoded).
        case text(Range<Int>)
    }

    struct Element: Sendable {
        var name: String
        var attributes: [String: String]
        var children: [Child] = []
        /// From the `<` of the start tag to the `>` of the end tag, or to the end of the last
        /// child when the end tag is missing.
        var range: Range<Int>
    }

    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]
    static let droppedElements: Set<String> = ["script", "style", "noscript", "template"]
    /// Start tags that close an open `p`.
    static let closesParagraph: Set<String> = [
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    ]

    /// Open elements kept at most, so the recursive walks over the tree stay shallow on hostile input.
    static let maximumDepth = 200

    private(set) var elements: [Element]
    private var open: [Int] = [0]
    private var droppedDepth = 0
    private var droppedName = ""

    init(tokens: [HTMLToken], scalarCount: Int) {
        elements = [Element(name: "#document", attributes: [:], range: 0..<scalarCount)]
        for token in tokens { add(token) }
        while open.count > 1 { close(at: open.count - 1, end: nil) }
    }

    private mutating func add(_ token: HTMLToken) {
        if droppedDepth > 0 {
            switch token {
            case .startTag(let name, _, let isSelfClosing, _) where name == droppedName && !isSelfClosing: droppedDepth += 1
            case .endTag(let name, _) where name == droppedName: droppedDepth -= 1
            default: break
            }
            return
        }
        switch token {
        case .text(let range):
            elements[open[open.count - 1]].children.append(.text(range))
        case .startTag(let name, let attributes, let isSelfClosing, let range):
            if Self.droppedElements.contains(name) && !isSelfClosing && name != "script" && name != "style" {
                droppedName = name
                droppedDepth = 1
                return
            }
            closeImplicitly(before: name, at: range.lowerBound)
            let index = elements.count
            elements.append(Element(name: name, attributes: attributes, range: range))
            elements[open[open.count - 1]].children.append(.element(index))
            // Past the depth limit an element takes no children: its content goes to the deepest open one.
            if !Self.voidElements.contains(name) && !isSelfClosing && open.count < Self.maximumDepth { open.append(index) }
        case .endTag(let name, let range):
            guard let position = open.lastIndex(where: { elements[$0].name == name }), position > 0 else { return }
            close(at: position, end: range.upperBound)
        }
    }

    /// Closes the elements a start tag of `name` ends without their end tags.
    private mutating func closeImplicitly(before name: String, at offset: Int) {
        if Self.closesParagraph.contains(name) || name == "li" {
            // Unlike browsers, an unclosed heading also ends here, so it cannot swallow the page.
            let textBlocks: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6"]
            if let index = openIndex(of: textBlocks, within: ["td", "th", "li", "blockquote", "div", "table", "ul", "ol"]) {
                close(at: index, end: nil)
            }
        }
        let siblings: [String: (names: Set<String>, scope: Set<String>)] = [
            "li": (["li"], ["ul", "ol", "table"]),
            "dt": (["dt", "dd"], ["dl", "table"]), "dd": (["dt", "dd"], ["dl", "table"]),
            "tr": (["tr"], ["table", "thead", "tbody", "tfoot"]),
            "td": (["td", "th"], ["tr", "table"]), "th": (["td", "th"], ["tr", "table"]),
            "thead": (["thead", "tbody", "tfoot"], ["table"]), "tbody": (["thead", "tbody", "tfoot"], ["table"]),
            "tfoot": (["thead", "tbody", "tfoot"], ["table"]),
        ]
        if let rule = siblings[name], let index = openIndex(of: rule.names, within: rule.scope) {
            close(at: index, end: nil)
        }
    }

    /// The position in `open` of the innermost element named in `names`, searching no further out
    /// than the innermost element named in `scope`.
    private func openIndex(of names: Set<String>, within scope: Set<String>) -> Int? {
        for position in stride(from: open.count - 1, through: 1, by: -1) {
            let name = elements[open[position]].name
            if names.contains(name) { return position }
            if scope.contains(name) { return nil }
        }
        return nil
    }

    /// Closes `open[position]` and everything opened inside it. `end` is the end of the end tag,
    /// or nil to end each element with its last child.
    private mutating func close(at position: Int, end: Int?) {
        while open.count > position {
            let index = open.removeLast()
            let contentEnd = elements[index].children.last.map(self.end(of:)) ?? elements[index].range.upperBound
            let upper = open.count == position ? (end ?? contentEnd) : contentEnd
            elements[index].range = elements[index].range.lowerBound..<max(upper, elements[index].range.upperBound)
        }
    }

    private func end(of child: Child) -> Int {
        switch child {
        case .element(let index): elements[index].range.upperBound
        case .text(let range): range.upperBound
        }
    }
}
