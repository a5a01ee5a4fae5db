import IndexFormat

/// A document's sections as the chunker sees them: the outline (one entry per heading, for the
/// artifact) and the body blocks grouped under the heading that owns them.
struct DocumentOutline {
    /// One run of body blocks under one heading.
    struct Section {
        /// Index into `entries` of the heading that owns the blocks.
        var outlineIndex: Int
        /// Index of the top-level (`##`) section the blocks belong to; chunks never cross it.
        var topLevelGroup: Int
        var blocks: [DocumentBlock]
    }

    var entries: [DocumentRecord.OutlineEntry]
    var sections: [Section]

    /// Builds the outline of `document`. A document without a level-1 heading gets one named after
    /// its title, covering the whole text, so every section path starts with the title.
    init(_ document: SourceDocument) {
        let scalarCount = document.text.unicodeScalars.count
        var entries: [DocumentRecord.OutlineEntry] = []
        var sections: [Section] = []
        var stack: [(level: Int, title: String, entry: Int)] = []
        var topLevelGroup = 0
        var groupOpened = false

        let hasTitleHeading = document.blocks.first { if case .heading = $0.kind { true } else { false } }
            .map { $0.kind == .heading(level: 1) } ?? false
        if !hasTitleHeading {
            entries.append(.init(level: 1, headingPath: [document.title], sourceCharacterStart: 0, sourceCharacterEnd: scalarCount))
            stack = [(1, document.title, 0)]
        }

        for block in document.blocks {
            if case .heading(let level) = block.kind {
                while let last = stack.last, last.level >= level {
                    entries[last.entry].sourceCharacterEnd = block.sourceRange.lowerBound
                    stack.removeLast()
                }
                let title = block.text.isEmpty ? "Untitled" : block.text
                entries.append(.init(level: level, headingPath: stack.map(\.title) + [title],
                                     sourceCharacterStart: block.sourceRange.lowerBound, sourceCharacterEnd: scalarCount))
                stack.append((level, title, entries.count - 1))
                if level <= 2, groupOpened {
                    topLevelGroup += 1
                    groupOpened = false
                }
                continue
            }
            if stack.isEmpty {
                // Body text before the first heading of a document whose first heading is its title.
                entries.insert(.init(level: 1, headingPath: [document.title], sourceCharacterStart: 0, sourceCharacterEnd: scalarCount), at: 0)
                stack = [(1, document.title, 0)]
            }
            let owner = stack[stack.count - 1].entry
            if let last = sections.last, last.outlineIndex == owner, last.topLevelGroup == topLevelGroup {
                sections[sections.count - 1].blocks.append(block)
            } else {
                sections.append(Section(outlineIndex: owner, topLevelGroup: topLevelGroup, blocks: [block]))
            }
            groupOpened = true
        }
        self.entries = entries
        self.sections = sections
    }
}
