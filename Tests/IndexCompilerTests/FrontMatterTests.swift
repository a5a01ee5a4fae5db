import Testing
@testable import IndexCompiler

@Suite struct FrontMatterTests {
    @Test func fieldsAreReadAndQuotesRemoved() throws {
        let text = SourceText("---\ntitle: \"Travel Policy\"\nowner: People Operations (CPO)\n\nversion: '4.1'\nnote: a: b\n---\n# Travel Policy\n")
        let frontMatter = try FrontMatter.parse(text, path: "hr/travel.md")
        #expect(frontMatter.fields == ["title": "Travel Policy", "owner": "People Operations (CPO)", "version": "4.1", "note": "a: b"])
        #expect(frontMatter.lineCount == 7)
    }

    @Test func aFileWithoutTheOpeningLineHasNone() throws {
        #expect(try FrontMatter.parse(SourceText("# Title\n---\n"), path: "a.md") == .empty)
        #expect(try FrontMatter.parse(SourceText(""), path: "a.md") == .empty)
    }

    @Test func anUnterminatedBlockIsAnErrorAtItsFirstLine() {
        #expect(throws: CompileError.invalidFrontMatter(path: "a.md", line: 1, reason: "the `---` block opened here is never closed")) {
            try FrontMatter.parse(SourceText("---\ntitle: A\n# A\n"), path: "a.md")
        }
    }

    @Test func aLineWithoutAColonIsAnErrorAtThatLine() {
        #expect(throws: CompileError.invalidFrontMatter(path: "a.md", line: 3, reason: "expected `key: value`, found no colon")) {
            try FrontMatter.parse(SourceText("---\ntitle: A\nowner People\n---\n"), path: "a.md")
        }
    }

    @Test func emptyAndRepeatedKeysAreErrors() {
        #expect(throws: CompileError.invalidFrontMatter(path: "a.md", line: 2, reason: "the key before the colon is empty")) {
            try FrontMatter.parse(SourceText("---\n: A\n---\n"), path: "a.md")
        }
        #expect(throws: CompileError.invalidFrontMatter(path: "a.md", line: 3, reason: "the key `title` appears twice")) {
            try FrontMatter.parse(SourceText("---\ntitle: A\ntitle: B\n---\n"), path: "a.md")
        }
    }
}
