import Testing
@testable import IndexCompiler

@Suite struct MarkdownLoaderTests {
    @Test func everyConstructBecomesOneBlockOfPlainText() throws {
        let document = try Fixtures.document("constructs.md")
        #expect(document.title == "Sample Policy")
        #expect(document.metadata == ["title": "Sample Policy", "owner": "Legal (General Counsel)", "version": "2.0", "effective": "2026-01-01"])
        let expected: [(DocumentBlock.Kind, String)] = [
            (.heading(level: 1), "Sample Policy"),
            (.paragraph, "Intro with bold, emphasis, a link to the guide, inline code and a soft break. "
                + "Café prices — naïve “quotes” old and https://corvid.example autolinked."),
            (.heading(level: 2), "Lists"),
            (.list, "- First item\n- Second item with strong text\n  - Nested item\n    - Deeper item\n- Third item"),
            (.list, "3. Step three\n4. Step four"),
            (.heading(level: 2), "Limits Table"),
            (.table, "Role | Limit\nManager | $5,000\nDirector | $25,000"),
            (.heading(level: 3), "Code and Quotes"),
            (.code, "let limit = 5_000"),
            (.quote, "Quoted advice over two lines."),
            (.heading(level: 4), "Table Inside a List"),
            (.list, "- Limits by role:\n  Role | Limit\n  VP | $100,000\n- After the table"),
            (.paragraph, "Final paragraph with inline HTML and a hard break."),
        ]
        #expect(document.blocks.map(\.kind) == expected.map(\.0))
        #expect(document.blocks.map(\.text) == expected.map(\.1))
    }

    @Test func sourceRangesAreScalarOffsetsOfTheBlockLines() throws {
        let document = try Fixtures.document("constructs.md")
        let sources = document.blocks.map(document.source(of:))
        #expect(sources[0] == "# Sample Policy")
        // The paragraph holds multi-byte characters; the next block must still start on its "#".
        #expect(sources[1].hasSuffix("“quotes” ~~old~~ and https://corvid.example autolinked."))
        #expect(sources[2] == "## Lists")
        #expect(sources[6] == "| Role | Limit |\n| --- | ---: |\n| Manager | $5,000 |\n| *Director* | `$25,000` |")
        #expect(sources[8] == "```swift\nlet limit = 5_000\n```")
        #expect(sources[9] == "> Quoted **advice** over\n> two lines.")
        #expect(sources[11].hasPrefix("- Limits by role:") && sources[11].hasSuffix("- After the table"))
        #expect(document.blocks.first?.sourceRange.lowerBound == 100)   // after the 6 front matter lines and a blank
    }

    @Test func titleFallsBackToTheFirstLevelOneHeadingThenTheFileName() throws {
        let document = try Fixtures.document("no-front-matter.md")
        #expect(document.title == "Heading Title")
        #expect(document.metadata.isEmpty)
        #expect(document.blocks.first?.text == "Some text before the title.")
        let untitled = try DocumentLoader.load(relativePath: "hr/notes.markdown", bytes: Array("Just a line.\n".utf8))
        #expect(untitled.title == "notes")
    }

    @Test func frontMatterNeverReachesTheParser() throws {
        // Without blanking, "title: X" followed by "---" would be a setext heading.
        let document = try DocumentLoader.load(relativePath: "a.md", bytes: Array("---\ntitle: X\n---\nBody text.\n".utf8))
        #expect(document.blocks == [DocumentBlock(kind: .paragraph, text: "Body text.", sourceRange: 17..<27)])
    }

    @Test func rawHTMLBlocksKeepTheirTextOnly() throws {
        let document = try DocumentLoader.load(relativePath: "a.md", bytes: Array("<div>\n<p>Hello &amp; bye</p>\n</div>\n\n<!-- note -->\n".utf8))
        #expect(document.blocks.map(\.text) == ["Hello & bye"])
    }
}
