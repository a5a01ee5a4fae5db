import Checksums
import IndexFormat

/// Counts the tokens the embedding model would see for a text, without `[CLS]`/`[SEP]` and
/// without truncation. BERT's tokenizer splits on white space and punctuation first, so the count
/// of two texts joined by a newline is the sum of their counts; the chunker relies on that.
public protocol TokenCounting: Sendable {
    func tokenCount(_ text: String) -> Int
}

/// How big chunks are, in the model's own tokens.
public struct ChunkingSettings: Equatable, Sendable {
    /// What a chunk aims for (heading path included).
    public var targetTokenCount: Int
    /// Tokens of the previous chunk repeated at the start of a continuation (same section only).
    public var overlapTokenCount: Int
    /// The hard limit: the model's maximum sequence length minus `[CLS]` and `[SEP]`.
    public var maximumTokenCount: Int
    /// A section smaller than this merges with the next sibling when both fit the target together.
    public var mergeBelowTokenCount: Int

    public init(targetTokenCount: Int = 200, overlapTokenCount: Int = 32, maximumTokenCount: Int = 254, mergeBelowTokenCount: Int = 64) {
        self.targetTokenCount = targetTokenCount
        self.overlapTokenCount = overlapTokenCount
        self.maximumTokenCount = maximumTokenCount
        self.mergeBelowTokenCount = mergeBelowTokenCount
    }
}

/// One chunk, ready to embed and store.
public struct PlannedChunk: Equatable, Sendable {
    public var id: UInt64
    public var outlineIndex: Int
    public var headingPath: [String]
    /// What is stored and shown: the body text, with the titles of merged subsections as lines.
    public var text: String
    /// What is embedded: the heading path on the first line, then `text`.
    public var embeddedText: String
    /// Tokens of `embeddedText` (without the model's special tokens).
    public var tokenCount: Int
    public var sourceCharacterRange: Range<Int>
}

/// Cuts a document into chunks along its structure:
/// - a chunk never spans two top-level (`##`) sections;
/// - a small section merges with its next siblings while they fit the target together;
/// - a long section splits between blocks, a long block between sentences (lists and tables between
///   items and rows), a long sentence between words; continuations repeat a little of the end of
///   the previous chunk;
/// - no chunk's embedded text exceeds `maximumTokenCount` tokens, so the encoder never truncates.
public struct Chunker: Sendable {
    public let settings: ChunkingSettings
    let counter: any TokenCounting

    public init(settings: ChunkingSettings = ChunkingSettings(), counter: any TokenCounting) {
        precondition(settings.targetTokenCount <= settings.maximumTokenCount && settings.overlapTokenCount < settings.targetTokenCount / 2)
        self.settings = settings
        self.counter = counter
    }

    /// The document's outline (for the artifact) and its chunks, in reading order.
    public func chunk(_ document: SourceDocument) -> (outline: [DocumentRecord.OutlineEntry], chunks: [PlannedChunk]) {
        let outline = DocumentOutline(document)
        var chunks: [PlannedChunk] = []
        var index = 0
        while index < outline.sections.count {
            // Merge small sibling sections of the same top-level group while they fit together.
            var group = [outline.sections[index]]
            var groupTokens = tokens(of: group[0], outline: outline)
            while index + 1 < outline.sections.count,
                  outline.sections[index + 1].topLevelGroup == group[0].topLevelGroup,
                  groupTokens < settings.mergeBelowTokenCount || tokens(of: outline.sections[index + 1], outline: outline) < settings.mergeBelowTokenCount {
                let next = outline.sections[index + 1]
                let combined = groupTokens + tokens(of: next, outline: outline) + counter.tokenCount(title(of: next, outline: outline))
                guard combined <= settings.targetTokenCount else { break }
                group.append(next)
                groupTokens = combined
                index += 1
            }
            chunks += pack(group, outline: outline, document: document)
            index += 1
        }
        return (outline.entries, assignIDs(chunks, documentPath: document.path))
    }

    // MARK: Packing

    /// A piece of body text that is never split further (a block, a sentence, a row, some words).
    private struct Piece {
        var text: String
        var tokenCount: Int
        var sourceRange: Range<Int>
        /// How the piece joins the one before it in a chunk: " " inside a paragraph, else a newline.
        var separator = "\n"
    }

    /// The chunks of one section, or of several merged siblings.
    private func pack(_ group: [DocumentOutline.Section], outline: DocumentOutline, document: SourceDocument) -> [PlannedChunk] {
        let owner = group.count == 1 ? group[0].outlineIndex : commonAncestor(group.map(\.outlineIndex), outline: outline)
        let headingPath = outline.entries[owner].headingPath
        let pathLine = headingPath.joined(separator: " > ")
        let pathTokens = counter.tokenCount(pathLine)
        let budget = max(16, settings.targetTokenCount - pathTokens)
        let hardBudget = settings.maximumTokenCount - pathTokens

        var pieces: [Piece] = []
        for section in group {
            if section.outlineIndex != owner {
                // A merged subsection keeps its title as a line, so its text still reads in context.
                let heading = outline.entries[section.outlineIndex]
                let title = heading.headingPath.last ?? ""
                pieces.append(Piece(text: title, tokenCount: counter.tokenCount(title),
                                    sourceRange: heading.sourceCharacterStart..<heading.sourceCharacterStart))
            }
            for block in section.blocks { pieces += split(block, budget: budget) }
        }

        var chunks: [PlannedChunk] = []
        var current: [Piece] = []
        var currentTokens = 0
        func flush() {
            guard !current.isEmpty else { return }
            chunks.append(makeChunk(current, owner: owner, headingPath: headingPath, pathLine: pathLine))
        }
        for piece in pieces {
            if !current.isEmpty, currentTokens + piece.tokenCount > budget {
                flush()
                // Continue with the tail of the previous chunk, when it is small enough to repeat.
                let tail = overlap(current, limit: min(settings.overlapTokenCount, hardBudget - piece.tokenCount))
                current = tail
                currentTokens = tail.reduce(0) { $0 + $1.tokenCount }
            }
            current.append(piece)
            currentTokens += piece.tokenCount
        }
        flush()
        return chunks
    }

    /// The last whole pieces of `pieces` totalling at most `limit` tokens (none if the last alone is larger).
    private func overlap(_ pieces: [Piece], limit: Int) -> [Piece] {
        var tail: [Piece] = []
        var total = 0
        for piece in pieces.reversed() {
            guard total + piece.tokenCount <= limit else { break }
            tail.insert(piece, at: 0)
            total += piece.tokenCount
        }
        return tail.count == pieces.count ? [] : tail
    }

    private func makeChunk(_ pieces: [Piece], owner: Int, headingPath: [String], pathLine: String) -> PlannedChunk {
        var text = pieces[0].text
        for piece in pieces.dropFirst() { text += piece.separator + piece.text }
        let embedded = pathLine + "\n" + text
        let start = pieces.map(\.sourceRange.lowerBound).min() ?? 0
        let end = pieces.map(\.sourceRange.upperBound).max() ?? start
        return PlannedChunk(id: 0, outlineIndex: owner, headingPath: headingPath, text: text, embeddedText: embedded,
                            tokenCount: counter.tokenCount(embedded), sourceCharacterRange: start..<end)
    }

    // MARK: Splitting

    /// `block` as pieces of at most `budget` tokens: whole when it fits, else lists and code by
    /// line, tables by row (the header row repeated on every part), prose by sentence, and any unit
    /// still too long by word.
    private func split(_ block: DocumentBlock, budget: Int) -> [Piece] {
        let wholeTokens = counter.tokenCount(block.text)
        guard wholeTokens > budget else { return [Piece(text: block.text, tokenCount: wholeTokens, sourceRange: block.sourceRange)] }
        let lines = block.text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let texts: [String]
        var separator = "\n"
        switch block.kind {
        case .table where lines.count > 1 && counter.tokenCount(lines[0]) * 2 <= budget:
            // Rows are grouped here, not in `pack`, so each part can start with the header row.
            let header = lines[0]
            texts = group(Array(lines.dropFirst()), budget: budget - counter.tokenCount(header), separator: "\n").map { header + "\n" + $0 }
        case .table, .list, .code:
            texts = lines.flatMap { splitWords($0, budget: budget) }
        default:
            texts = TextSegmentation.sentences(in: block.text).flatMap { splitWords($0, budget: budget) }
            separator = " "
        }
        return texts.enumerated().map { index, text in
            Piece(text: text, tokenCount: counter.tokenCount(text), sourceRange: block.sourceRange, separator: index == 0 ? "\n" : separator)
        }
    }

    /// `units` packed in order into texts of at most `budget` tokens; a unit above the budget is
    /// first cut between words.
    private func group(_ units: [String], budget: Int, separator: String) -> [String] {
        var texts: [String] = []
        var current: [String] = []
        var currentTokens = 0
        for unit in units {
            for part in splitWords(unit, budget: budget) {
                let partTokens = counter.tokenCount(part)
                if !current.isEmpty, currentTokens + partTokens > budget {
                    texts.append(current.joined(separator: separator))
                    current = []
                    currentTokens = 0
                }
                current.append(part)
                currentTokens += partTokens
            }
        }
        if !current.isEmpty { texts.append(current.joined(separator: separator)) }
        return texts
    }

    /// `text` cut between words into parts of at most `budget` tokens (a single word above the
    /// budget, which BERT maps to [UNK] past 100 characters anyway, stands alone).
    private func splitWords(_ text: String, budget: Int) -> [String] {
        guard counter.tokenCount(text) > budget else { return [text] }
        let words = text.split(separator: " ").map(String.init)
        guard words.count == 1 else { return group(words, budget: budget, separator: " ") }
        // One "word" of many tokens (a long run of numbers and punctuation): halve it until it fits.
        let scalars = Array(text.unicodeScalars)
        guard scalars.count > 1 else { return [text] }
        let middle = scalars.count / 2
        return splitWords(String(String.UnicodeScalarView(scalars[..<middle])), budget: budget)
            + splitWords(String(String.UnicodeScalarView(scalars[middle...])), budget: budget)
    }

    // MARK: Helpers

    private func tokens(of section: DocumentOutline.Section, outline: DocumentOutline) -> Int {
        section.blocks.reduce(0) { $0 + counter.tokenCount($1.text) }
    }

    private func title(of section: DocumentOutline.Section, outline: DocumentOutline) -> String {
        outline.entries[section.outlineIndex].headingPath.last ?? ""
    }

    /// The deepest outline entry whose heading path is a prefix of every given entry's.
    private func commonAncestor(_ indices: [Int], outline: DocumentOutline) -> Int {
        let paths = indices.map { outline.entries[$0].headingPath }
        var prefix = paths[0]
        for path in paths.dropFirst() {
            var length = 0
            while length < min(prefix.count, path.count), prefix[length] == path[length] { length += 1 }
            prefix = Array(prefix.prefix(length))
        }
        // The outline entry with exactly that path and the nearest start before the first section.
        let first = indices.min() ?? 0
        return (0...first).reversed().first { outline.entries[$0].headingPath == prefix } ?? first
    }

    /// Stable IDs: a hash of the document path, heading path and text; repeats get an ordinal.
    private func assignIDs(_ chunks: [PlannedChunk], documentPath: String) -> [PlannedChunk] {
        var seen: [UInt64: Int] = [:]
        return chunks.map { chunk in
            var chunk = chunk
            let key = Array((documentPath + "\u{1F}" + chunk.headingPath.joined(separator: "\u{1F}") + "\u{1F}" + chunk.text).utf8)
            let base = XXH64.hash(key)
            let ordinal = seen[base, default: 0]
            seen[base] = ordinal + 1
            chunk.id = ordinal == 0 ? base : XXH64.hash(key, seed: UInt64(ordinal))
            return chunk
        }
    }
}
