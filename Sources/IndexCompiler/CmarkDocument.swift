// Unsafe code allowed here: this is IndexCompiler's one wrapper around libcmark-gfm (docs/STYLE.md §4–5).
// Nothing else in the module imports CCmark.
import CCmark

/// Owns one document tree parsed by cmark-gfm (`cmark_parser_new` … `cmark_parser_finish`, released
/// with `cmark_node_free` in `deinit`) and copies it into `MarkdownNode` values.
///
/// The parser gets the GitHub extensions "table", "strikethrough" and "autolink", and
/// `CMARK_OPT_SOURCEPOS` so every node carries its line and byte-column span.
@safe final class CmarkDocument {
    private let root: OpaquePointer   // cmark_node *, the document node

    /// Registers cmark-gfm's extensions once per process. `cmark_gfm_core_extensions_ensure_registered`
    /// checks and sets a plain static flag and fills a global list: called from two threads at once
    /// (documents load in parallel), one could find no "strikethrough" and parse `~~old~~` as text.
    /// A static stored property is initialised exactly once, with other threads waiting for it.
    private static let extensionsRegistered: Void = cmark_gfm_core_extensions_ensure_registered()

    /// Parses `markdown`; `path` only names the file in the error.
    init(markdown: String, path: String) throws(CompileError) {
        Self.extensionsRegistered
        guard let parser = unsafe cmark_parser_new(CMARK_OPT_SOURCEPOS) else {
            throw .markdownParserFailed(path: path)
        }
        defer { unsafe cmark_parser_free(parser) }
        for name in ["table", "strikethrough", "autolink"] {
            // cmark_find_syntax_extension returns a registry entry that lives for the whole process.
            if let extensionHandle = unsafe cmark_find_syntax_extension(name) {
                _ = unsafe cmark_parser_attach_syntax_extension(parser, extensionHandle)
            }
        }
        var bytes = Array(markdown.utf8)
        if !bytes.isEmpty {
            unsafe bytes.withUnsafeMutableBufferPointer { buffer in
                unsafe buffer.withMemoryRebound(to: CChar.self) { chars in
                    // cmark_parser_feed copies what it needs; the buffer may go after the call.
                    unsafe cmark_parser_feed(parser, chars.baseAddress, chars.count)
                }
            }
        }
        guard let document = unsafe cmark_parser_finish(parser) else {
            throw .markdownParserFailed(path: path)
        }
        unsafe root = document
    }

    deinit { unsafe cmark_node_free(root) }

    /// Nesting kept at most; deeper containers are flattened into their ancestor, so the loader's
    /// recursive walks stay shallow however deeply a file nests quotes or lists.
    static let maximumDepth = 200

    /// The whole tree as Swift values, built with the iterator API (`cmark_iter_next`): containers
    /// get an enter and an exit event, leaves only an enter event.
    func tree() -> MarkdownNode {
        guard let iterator = unsafe cmark_iter_new(root) else { return unsafe copy(root) }
        defer { unsafe cmark_iter_free(iterator) }
        var stack: [MarkdownNode] = []
        var finished: MarkdownNode?
        var flattenedDepth = 0   // containers past `maximumDepth`, whose content goes to the deepest kept node
        while true {
            let event = unsafe cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
            guard let node = unsafe cmark_iter_get_node(iterator) else { continue }
            if event == CMARK_EVENT_ENTER {
                let copied = unsafe copy(node)
                if Self.isLeaf(copied.kind) {
                    if stack.isEmpty { finished = copied } else { stack[stack.count - 1].children.append(copied) }
                } else if stack.count >= Self.maximumDepth {
                    flattenedDepth += 1
                } else {
                    stack.append(copied)
                }
            } else if event == CMARK_EVENT_EXIT && flattenedDepth > 0 {
                flattenedDepth -= 1
            } else if event == CMARK_EVENT_EXIT, let done = stack.popLast() {
                if stack.isEmpty { finished = done } else { stack[stack.count - 1].children.append(done) }
            }
        }
        return unsafe finished ?? copy(root)
    }

    /// One node without its children.
    private func copy(_ node: OpaquePointer) -> MarkdownNode {
        let literal = unsafe cmark_node_get_literal(node).map { unsafe String(cString: $0) } ?? ""
        return unsafe MarkdownNode(
            kind: kind(of: node), literal: literal,
            startLine: Int(unsafe cmark_node_get_start_line(node)),
            startColumn: Int(unsafe cmark_node_get_start_column(node)),
            endLine: Int(unsafe cmark_node_get_end_line(node)),
            endColumn: Int(unsafe cmark_node_get_end_column(node)),
            children: [])
    }

    /// Maps cmark's type names (`cmark_node_get_type_string`), which also cover extension nodes.
    private func kind(of node: OpaquePointer) -> MarkdownNode.Kind {
        let name = unsafe cmark_node_get_type_string(node).map { unsafe String(cString: $0) } ?? ""
        switch name {
        case "document": return .document
        case "block_quote": return .blockQuote
        case "list":
            let isOrdered = unsafe cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
            return .list(isOrdered: isOrdered, start: Int(unsafe cmark_node_get_list_start(node)))
        case "item": return .item
        case "code_block": return .codeBlock
        case "html_block": return .htmlBlock
        case "paragraph": return .paragraph
        case "heading": return .heading(level: Int(unsafe cmark_node_get_heading_level(node)))
        case "thematic_break": return .thematicBreak
        case "table": return .table
        case "table_header": return .tableRow(isHeader: true)
        case "table_row": return .tableRow(isHeader: unsafe cmark_gfm_extensions_get_table_row_is_header(node) != 0)
        case "table_cell": return .tableCell
        case "text": return .text
        case "softbreak": return .softBreak
        case "linebreak": return .lineBreak
        case "code": return .code
        case "html_inline": return .htmlInline
        case "emph": return .emphasis
        case "strong": return .strong
        case "strikethrough": return .strikethrough
        case "link": return .link
        case "image": return .image
        default: return .other(name)
        }
    }

    /// The node types cmark's iterator treats as leaves (`S_is_leaf` in iterator.c).
    private static func isLeaf(_ kind: MarkdownNode.Kind) -> Bool {
        switch kind {
        case .htmlBlock, .thematicBreak, .codeBlock, .text, .softBreak, .lineBreak, .code, .htmlInline: true
        default: false
        }
    }
}
