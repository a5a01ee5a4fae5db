/// A policy document as a loader reads it: its text, front matter, and a flat list of blocks in
/// reading order. The chunker builds sections from the headings among the blocks.
public struct SourceDocument: Equatable, Sendable {
    /// Relative to the corpus folder, with "/" separators (the artifact's document path).
    public var path: String
    /// From the front matter (or `<title>`), else the first level-1 heading, else the file name.
    public var title: String
    /// Front matter as written: owner, version, effective date, and anything else.
    public var metadata: [String: String]
    /// The file's full text; every `sourceRange` indexes its Unicode scalars.
    public var text: String
    public var blocks: [DocumentBlock]
    /// The SHA-256 (hex) and size of the file's bytes as read, for the manifest and staleness checks.
    public var sourceSHA256 = ""
    public var sourceByteCount = 0

    public init(path: String, title: String, metadata: [String: String], text: String, blocks: [DocumentBlock]) {
        self.path = path
        self.title = title
        self.metadata = metadata
        self.text = text
        self.blocks = blocks
    }
}

/// One block of a document: a heading, or a unit of body text the chunker keeps whole where it fits.
public struct DocumentBlock: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// `level` 1 is the title; 2 is `##` (a top-level section), and so on.
        case heading(level: Int)
        case paragraph
        /// A whole list, one line per item ("- item"), nested items indented.
        case list
        /// A whole table, one line per row, cells separated by " | ", the header row first.
        case table
        case code
        case quote
    }

    public var kind: Kind
    /// Plain text, markup removed (emphasis, links, entities); what gets embedded and shown.
    public var text: String
    /// Unicode scalar offsets of the block in `SourceDocument.text`.
    public var sourceRange: Range<Int>

    public init(kind: Kind, text: String, sourceRange: Range<Int>) {
        self.kind = kind
        self.text = text
        self.sourceRange = sourceRange
    }
}
