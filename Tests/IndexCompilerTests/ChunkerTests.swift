import Testing
import IndexCompiler
import IndexFormat
import TestSupport

/// Counts like BERT's tokenizer does at its first step: words and punctuation marks, each a token.
/// Additive over white-space joins, as the real count is. (Tests with the real tokenizer are in
/// CompilerPipelineTests.)
struct WordAndPunctuationCounter: TokenCounting {
    func tokenCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                inWord = false
            } else if scalar.properties.generalCategory.isPunctuationOrSymbol {
                count += 1
                inWord = false
            } else if !inWord {
                count += 1
                inWord = true
            }
        }
        return count
    }
}

extension Unicode.GeneralCategory {
    var isPunctuationOrSymbol: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: true
        default: false
        }
    }
}

/// Builds a SourceDocument from a compact description, computing source ranges as a real loader would.
struct DocumentBuilder {
    var text = ""
    var blocks: [DocumentBlock] = []

    mutating func add(_ kind: DocumentBlock.Kind, _ body: String) {
        let start = text.unicodeScalars.count
        text += body + "\n\n"
        blocks.append(DocumentBlock(kind: kind, text: body, sourceRange: start..<(start + body.unicodeScalars.count)))
    }

    func document(_ path: String = "hr/test.md", title: String = "Test Policy") -> SourceDocument {
        SourceDocument(path: path, title: title, metadata: [:], text: text, blocks: blocks)
    }
}

@Suite struct ChunkerTests {
    let chunker = Chunker(settings: ChunkingSettings(targetTokenCount: 60, overlapTokenCount: 10, maximumTokenCount: 80, mergeBelowTokenCount: 20),
                          counter: WordAndPunctuationCounter())

    static func sentence(_ index: Int, words: Int = 9) -> String {
        "Rule \(index) says " + (0..<words).map { "word\($0)" }.joined(separator: " ") + "."
    }

    @Test func headingPathsFollowTheOutline() {
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Travel Policy")
        builder.add(.paragraph, "Intro text about travel.")
        builder.add(.heading(level: 2), "Per Diem")
        builder.add(.heading(level: 3), "International Trips")
        builder.add(.paragraph, Self.sentence(1, words: 30))
        builder.add(.heading(level: 2), "Booking")
        builder.add(.paragraph, Self.sentence(2, words: 30))
        let (outline, chunks) = chunker.chunk(builder.document())
        #expect(outline.map(\.headingPath) == [["Travel Policy"], ["Travel Policy", "Per Diem"],
                                              ["Travel Policy", "Per Diem", "International Trips"], ["Travel Policy", "Booking"]])
        #expect(chunks.map(\.headingPath) == [["Travel Policy"], ["Travel Policy", "Per Diem", "International Trips"], ["Travel Policy", "Booking"]])
        #expect(chunks[1].embeddedText.hasPrefix("Travel Policy > Per Diem > International Trips\n"))
        #expect(!chunks[1].text.contains("Travel Policy"))
        // Outline ranges nest: a section ends where the next heading of its level or above starts.
        #expect(outline[1].sourceCharacterEnd == outline[3].sourceCharacterStart)
        #expect(outline[2].sourceCharacterEnd == outline[3].sourceCharacterStart)
    }

    @Test func smallSiblingSectionsMergeUnderTheirParent() {
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Leave")
        builder.add(.heading(level: 2), "Types")
        builder.add(.heading(level: 3), "Jury Duty")
        builder.add(.paragraph, "Paid for up to ten days.")
        builder.add(.heading(level: 3), "Voting")
        builder.add(.paragraph, "Two paid hours.")
        let (_, chunks) = chunker.chunk(builder.document())
        #expect(chunks.count == 1)
        #expect(chunks[0].headingPath == ["Leave", "Types"])
        #expect(chunks[0].text == "Jury Duty\nPaid for up to ten days.\nVoting\nTwo paid hours.")
    }

    @Test func chunksNeverSpanTwoTopLevelSections() {
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Policy")
        builder.add(.heading(level: 2), "A")
        builder.add(.paragraph, "Tiny a.")
        builder.add(.heading(level: 2), "B")
        builder.add(.paragraph, "Tiny b.")
        let (_, chunks) = chunker.chunk(builder.document())
        #expect(chunks.map(\.headingPath) == [["Policy", "A"], ["Policy", "B"]])
    }

    @Test func longSectionsSplitAtSentencesWithOverlap() {
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Policy")
        builder.add(.heading(level: 2), "Rules")
        builder.add(.paragraph, (1...12).map { Self.sentence($0, words: 4) }.joined(separator: " "))
        let (_, chunks) = chunker.chunk(builder.document())
        #expect(chunks.count > 1)
        for chunk in chunks {
            #expect(chunk.tokenCount <= 80)
            #expect(chunk.text.hasPrefix("Rule "), "chunks start at a sentence: \(chunk.text)")
            #expect(chunk.text.hasSuffix("."))
        }
        // Every sentence appears, in order, and continuations repeat the previous chunk's last sentence.
        let joined = chunks.map(\.text).joined(separator: " ")
        for index in 1...12 { #expect(joined.contains(Self.sentence(index, words: 4))) }
        let lastOfFirst = chunks[0].text.components(separatedBy: ". ").last!
        #expect(chunks[1].text.hasPrefix(lastOfFirst.hasSuffix(".") ? lastOfFirst : lastOfFirst + "."))
    }

    @Test func longTablesSplitByRowRepeatingTheHeader() {
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Per Diem")
        builder.add(.heading(level: 2), "Rates")
        let rows = ["City | Rate | Notes"] + (1...30).map { "City\($0) | $\($0 + 70) | breakfast included" }
        builder.add(.table, rows.joined(separator: "\n"))
        let (_, chunks) = chunker.chunk(builder.document())
        #expect(chunks.count > 1)
        for chunk in chunks {
            #expect(chunk.text.hasPrefix("City | Rate | Notes\n"))
            #expect(chunk.tokenCount <= 80)
        }
        for row in rows.dropFirst() { #expect(chunks.contains { $0.text.contains(row + "\n") || $0.text.hasSuffix(row) }) }
    }

    @Test func aSentenceLongerThanTheBudgetIsCutBetweenWords() {
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Policy")
        builder.add(.paragraph, Self.sentence(1, words: 200))
        let (_, chunks) = chunker.chunk(builder.document())
        #expect(chunks.count >= 4)
        #expect(chunks.allSatisfy { $0.tokenCount <= 80 })
    }

    @Test func aDocumentWithoutTitleHeadingGetsOneFromItsTitle() {
        var builder = DocumentBuilder()
        builder.add(.paragraph, "Some text.")
        builder.add(.heading(level: 2), "Section")
        builder.add(.paragraph, "More text.")
        let (outline, chunks) = chunker.chunk(builder.document(title: "Untitled Memo"))
        #expect(outline[0].headingPath == ["Untitled Memo"])
        #expect(outline[1].headingPath == ["Untitled Memo", "Section"])
        #expect(chunks.map(\.headingPath) == [["Untitled Memo"], ["Untitled Memo", "Section"]])
    }

    @Test func idsAreStableAndChangeOnlyWithTheirText() {
        func document(_ editedRule: String) -> SourceDocument {
            var builder = DocumentBuilder()
            builder.add(.heading(level: 1), "Policy")
            builder.add(.heading(level: 2), "A")
            builder.add(.paragraph, Self.sentence(1, words: 30))
            builder.add(.heading(level: 2), "B")
            builder.add(.paragraph, editedRule)
            return builder.document()
        }
        let first = chunker.chunk(document(Self.sentence(2, words: 30))).chunks
        let again = chunker.chunk(document(Self.sentence(2, words: 30))).chunks
        let edited = chunker.chunk(document(Self.sentence(3, words: 30))).chunks
        #expect(first.map(\.id) == again.map(\.id))
        #expect(first[0].id == edited[0].id)
        #expect(first[1].id != edited[1].id)
        #expect(Set(first.map(\.id)).count == first.count)
    }

    /// Random documents: chunks cover every body block in order, none is empty, none exceeds the
    /// maximum, and each stays inside one top-level section.
    @Test(arguments: 1...40)
    func invariantsHoldOnRandomDocuments(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed))
        var builder = DocumentBuilder()
        builder.add(.heading(level: 1), "Random \(seed)")
        var sentenceIndex = 0
        for _ in 0..<Int.random(in: 1...12, using: &random) {
            let level = Int.random(in: 2...4, using: &random)
            builder.add(.heading(level: level), "Heading \(sentenceIndex)")
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let kinds: [DocumentBlock.Kind] = [.paragraph, .list, .table, .paragraph]
                let kind = kinds[Int.random(in: 0..<kinds.count, using: &random)]
                let count = Int.random(in: 1...(kind == .paragraph ? 14 : 25), using: &random)
                let units = (0..<count).map { _ -> String in
                    sentenceIndex += 1
                    return Self.sentence(sentenceIndex, words: Int.random(in: 1...(random.next() % 10 == 0 ? 120 : 12), using: &random))
                }
                builder.add(kind, units.joined(separator: kind == .paragraph ? " " : "\n"))
            }
        }
        let document = builder.document()
        let (outline, chunks) = chunker.chunk(document)
        let allText = chunks.map(\.text).joined(separator: "\n")
        for index in 1...max(1, sentenceIndex) where sentenceIndex > 0 {
            #expect(allText.contains("Rule \(index) says"), "seed \(seed): sentence \(index) lost")
        }
        for chunk in chunks {
            #expect(!chunk.text.isEmpty, "seed \(seed)")
            #expect(chunk.tokenCount <= 80, "seed \(seed): \(chunk.tokenCount) tokens")
            #expect(chunk.tokenCount == WordAndPunctuationCounter().tokenCount(chunk.embeddedText))
            let topLevel = outline.filter { $0.level <= 2 && $0.sourceCharacterStart <= chunk.sourceCharacterRange.lowerBound }.last
            if let topLevel { #expect(chunk.sourceCharacterRange.upperBound <= topLevel.sourceCharacterEnd, "seed \(seed)") }
        }
        #expect(chunks.map(\.sourceCharacterRange.lowerBound) == chunks.map(\.sourceCharacterRange.lowerBound).sorted(), "seed \(seed)")
    }
}
