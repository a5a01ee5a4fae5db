import Testing
@testable import IndexCompiler

@Suite struct HTMLLoaderTests {
    @Test func headMetadataAndBodyBlocks() throws {
        let document = try Fixtures.document("constructs.html")
        #expect(document.title == "Sample HTML Guide")
        #expect(document.metadata == ["title": "Sample HTML Guide", "owner": "Finance (Chief Financial Officer)",
                                      "version": "1.2", "effective": "2026-03-01"])
        let expected: [(DocumentBlock.Kind, String)] = [
            (.heading(level: 1), "Sample HTML Guide"),
            (.paragraph, "Fish & chips — €10 or €12, “quoted”, spread over lines © Corvid™."),
            (.heading(level: 2), "Steps"),
            (.list, "1. Open Navan.\n2. Book a flight.\n  - Economy under 6 hours\n  - Premium economy from 6 hours"),
            (.heading(level: 3), "Limits"),
            (.table, "Item | Limit\nHotel | Up to $250\nPer diem | $75"),
            (.quote, "Policies win over this guide."),
            (.code, "line one\n  indented <two>"),
            (.heading(level: 4), "Loose Text"),
            (.paragraph, "Text directly in a div with emphasis."),
            (.heading(level: 5), "Five"),
            (.heading(level: 6), "Six"),
        ]
        #expect(document.blocks.map(\.kind) == expected.map(\.0))
        #expect(document.blocks.map(\.text) == expected.map(\.1))
        #expect(document.source(of: document.blocks[0]) == "<h1>Sample HTML Guide</h1>")
        #expect(document.source(of: document.blocks[5]).hasPrefix("<table>"))
        #expect(document.source(of: document.blocks[5]).hasSuffix("</table>"))
    }

    @Test func malformedMarkupIsReadTolerantly() throws {
        let document = try Fixtures.document("malformed.html")
        #expect(document.title == "Malformed Page")
        let expected: [(DocumentBlock.Kind, String)] = [
            (.heading(level: 1), "Malformed Page"),
            (.paragraph, "First paragraph never closed"),
            (.paragraph, "Second paragraph with a stray < sign and 3 < 4 &unknown; &amp"),
            (.list, "- one\n- two\n  - nested\n- three"),
            (.table, "a | b\nc | d"),
            (.heading(level: 2), "Inside Unknown"),
            (.paragraph, "unknown text"),
            (.paragraph, "Last bold italic"),
        ]
        #expect(document.blocks.map(\.kind) == expected.map(\.0))
        #expect(document.blocks.map(\.text) == expected.map(\.1))
        #expect(!document.blocks.contains { $0.text.contains("not text") })
    }

    @Test(arguments: [
        "", "<", "<<<>>>", "</", "<!--", "<!-- open", "<p", "<p class=\"x", "<p class='x'", "&#", "&#x;", "&#99999999999;",
        "</p></p></div>", "<li>loose item", "<td>cell", "<script>never closed", "<title>never closed",
        "<noscript><noscript>x</noscript>", "<template>", "<br/><hr/><img src=x>", "<ul><ul><ul><li>x",
    ])
    func arbitraryFragmentsNeverTrap(_ html: String) {
        let document = HTMLLoader.load(path: "f.html", text: SourceText(html))
        for block in document.blocks { #expect(block.sourceRange.upperBound <= html.unicodeScalars.count) }
    }

    @Test func scriptContentWithEndTagsIsNotMarkup() throws {
        let html = "<p>Before</p><script>document.write('</p><h1>Fake</h1>')</script><p>After</p>"
        let document = try DocumentLoader.load(relativePath: "s.html", bytes: Array(html.utf8))
        #expect(document.blocks.map(\.text) == ["Before", "After"])
        #expect(document.title == "s")
    }
}
