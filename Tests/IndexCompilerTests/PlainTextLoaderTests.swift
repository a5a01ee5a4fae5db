import Testing
@testable import IndexCompiler

@Suite struct PlainTextLoaderTests {
    @Test func underlinedHeadingsParagraphsAndLists() throws {
        let document = try Fixtures.document("constructs.txt")
        #expect(document.title == "Sample Text Policy")
        #expect(document.metadata["owner"] == "Facilities & Workplace")
        let expected: [(DocumentBlock.Kind, String)] = [
            (.heading(level: 1), "Sample Text Policy"),
            (.paragraph, "An opening paragraph that is wrapped over two lines."),
            (.heading(level: 2), "Emergency Numbers"),
            (.paragraph, "Call first:"),
            (.list, "- Portland: 911\n- Dublin: 112 or 999 continued on a second line\n- Starred item"),
            (.list, "1. Activate the alarm.\n2. Leave the building."),
            (.heading(level: 2), "Working from Home and Other Locations"),
            (.paragraph, "Revision notes one. Revision notes two."),
        ]
        #expect(document.blocks.map(\.kind) == expected.map(\.0))
        #expect(document.blocks.map(\.text) == expected.map(\.1))
        let sources = document.blocks.map(document.source(of:))
        #expect(sources[0] == "Sample Text Policy\n==================")
        #expect(sources[4] == "- Portland: 911\n- Dublin: 112 or 999\n  continued on a second line\n* Starred item")
    }

    @Test func nestedItemsAreIndentedByLevel() throws {
        let text = "Intro\n\n- Top\n    - Nested four spaces\n        - Deeper\n- Back\n"
        let document = try DocumentLoader.load(relativePath: "a.txt", bytes: Array(text.utf8))
        #expect(document.blocks.map(\.text) == ["Intro", "- Top\n  - Nested four spaces\n    - Deeper\n- Back"])
        #expect(document.title == "a")
    }

    @Test func aLineOfDashesWithoutTextAboveIsNotAHeading() throws {
        let document = try DocumentLoader.load(relativePath: "a.txt", bytes: Array("Title\n=====\n\n-----\n".utf8))
        #expect(document.blocks.map(\.kind) == [.heading(level: 1), .paragraph])
    }
}
