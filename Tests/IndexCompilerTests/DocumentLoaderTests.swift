import Testing
@testable import IndexCompiler

@Suite struct DocumentLoaderTests {
    private func load(_ path: String, _ text: String) throws(CompileError) -> SourceDocument {
        try DocumentLoader.load(relativePath: path, bytes: Array(text.utf8))
    }

    @Test func invalidUTF8IsReportedWithItsByteOffset() {
        let bytes = Array("---\ntitle: A\n---\n# A\n\nCaf".utf8) + [0xE9] + Array(" au lait\n".utf8)
        #expect(throws: CompileError.invalidUTF8(path: "hr/a.md", byteOffset: 25)) {
            try DocumentLoader.load(relativePath: "hr/a.md", bytes: bytes)
        }
    }

    @Test func unterminatedFrontMatterIsAnError() {
        #expect(throws: CompileError.invalidFrontMatter(path: "a.txt", line: 1, reason: "the `---` block opened here is never closed")) {
            try load("a.txt", "---\ntitle: A\n\nA\n=\n")
        }
    }

    @Test(arguments: ["a.md", "a.txt", "a.html"])
    func anEmptyFileIsAnEmptyDocument(_ path: String) {
        #expect(throws: CompileError.emptyDocument(path: path)) { try load(path, "") }
        #expect(throws: CompileError.emptyDocument(path: path)) { try load(path, " \n\n\t\n") }
    }

    @Test func aFileOfOnlyFrontMatterIsAnEmptyDocument() {
        #expect(throws: CompileError.emptyDocument(path: "a.md")) { try load("a.md", "---\ntitle: A\n---\n") }
        #expect(throws: CompileError.emptyDocument(path: "a.txt")) { try load("a.txt", "---\ntitle: A\n---\n\n") }
        #expect(throws: CompileError.emptyDocument(path: "a.html")) {
            try load("a.html", "<html><head><title>A</title><script>x()</script></head><body> <!-- --> </body></html>")
        }
    }

    @Test func crlfLineEndingsReadLikeNewlines() throws {
        let lf = "---\ntitle: A\n---\n\n# A\n\nOne\ntwo.\n\n- x\n- y\n"
        var crlf = try load("a.md", lf.replacingOccurrences(of: "\n", with: "\r\n"))
        let plain = try load("a.md", lf)
        // Only the hash and size of the raw bytes differ.
        #expect(crlf.sourceSHA256 != plain.sourceSHA256)
        crlf.sourceSHA256 = plain.sourceSHA256
        crlf.sourceByteCount = plain.sourceByteCount
        #expect(crlf == plain)
        #expect(crlf.blocks.map(\.text) == ["A", "One two.", "- x\n- y"])
        let text = try load("a.txt", "Title\r\n=====\r\n\r\nBody\r\n")
        #expect(text.blocks.map(\.kind) == [.heading(level: 1), .paragraph])
    }

    @Test func aLeadingByteOrderMarkIsDropped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("---\ntitle: A\n---\n# A\n".utf8)
        let document = try DocumentLoader.load(relativePath: "a.md", bytes: bytes)
        #expect(document.title == "A")
        #expect(document.metadata == ["title": "A"])
        #expect(document.text.hasPrefix("---"))
        #expect(document.blocks.first?.sourceRange == 17..<20)
    }

    @Test func filesAboveTheSizeLimitAreRefusedBeforeParsing() {
        let bytes = [UInt8](repeating: 0xFF, count: DocumentLoader.maximumByteCount + 1)
        #expect(throws: CompileError.fileTooLarge(path: "big.md", byteCount: bytes.count, limit: DocumentLoader.maximumByteCount)) {
            try DocumentLoader.load(relativePath: "big.md", bytes: bytes)
        }
    }

    @Test(arguments: ["a.pdf", "a.docx", "README", "a.md.bak", ".md"])
    func otherExtensionsAreUnsupported(_ path: String) {
        #expect(throws: CompileError.unsupportedFileType(path: path)) { try load(path, "text") }
    }

    @Test(arguments: ["A.MD", "a.Markdown", "a.TXT", "a.htm", "a.HTML"])
    func extensionsMatchWithoutRegardToCase(_ path: String) throws {
        #expect(try load(path, "Some text").blocks.count == 1)
    }
}

@Suite struct DeepNestingTests {
    @Test func deeplyNestedHTMLIsFlattenedNotOverflowed() throws {
        let html = String(repeating: "<div><ul><li>", count: 5_000) + "deep"
        let document = try DocumentLoader.load(relativePath: "deep.html", bytes: Array(html.utf8))
        #expect(document.blocks.contains { $0.text.hasSuffix("deep") })
    }

    @Test func deeplyNestedMarkdownIsFlattenedNotOverflowed() throws {
        let markdown = String(repeating: "> ", count: 20_000) + "deep\n\n" + String(repeating: "- ", count: 5_000) + "item\n"
        let document = try DocumentLoader.load(relativePath: "deep.md", bytes: Array(markdown.utf8))
        #expect(document.blocks.first?.text == "deep")
        #expect(document.blocks.last?.text.hasSuffix("item") == true, "\(document.blocks.last?.text.suffix(40) ?? "")")
    }
}
