/// One node of a parsed Markdown document, copied out of cmark-gfm's tree by `CmarkDocument` so the
/// loader works on plain Swift values. Positions are cmark's: 1-based lines, 1-based UTF-8 byte columns.
struct MarkdownNode: Sendable {
    enum Kind: Equatable, Sendable {
        // Blocks.
        case document
        case blockQuote
        case list(isOrdered: Bool, start: Int)
        case item
        case codeBlock
        case htmlBlock
        case paragraph
        case heading(level: Int)
        case thematicBreak
        case table
        case tableRow(isHeader: Bool)
        case tableCell
        // Inlines.
        case text
        case softBreak
        case lineBreak
        case code
        case htmlInline
        case emphasis
        case strong
        case strikethrough
        case link
        case image
        /// A node type this loader does not know (a future extension); its text is kept.
        case other(String)
    }

    var kind: Kind
    /// The node's own text: set for text, inline code, code blocks and raw HTML.
    var literal: String
    var startLine: Int
    var startColumn: Int
    var endLine: Int
    var endColumn: Int
    var children: [MarkdownNode]

    /// The last source line of the node or any descendant. cmark-gfm sometimes reports a
    /// container's end before its last child's (tables are one case), so ranges use this.
    var lastLine: Int {
        children.reduce(endLine) { max($0, $1.lastLine) }
    }
}
