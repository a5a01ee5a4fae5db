import Testing
@testable import IndexCompiler

@Suite struct SourceTextTests {
    @Test(arguments: [
        ([0x61, 0x62, 0x63, 0xFF, 0x64], 3),          // a byte that never starts a sequence
        ([0x61, 0xC0, 0xAF], 1),                      // overlong "/"
        ([0x61, 0x62, 0xED, 0xA0, 0x80], 2),          // an encoded surrogate
        ([0xC3, 0xA9, 0xE2, 0x82], 2),                // "é", then a sequence cut short at the end
        ([0xF4, 0x90, 0x80, 0x80], 0),                // past U+10FFFF
    ] as [([UInt8], Int)])
    func invalidUTF8IsReportedAtItsFirstByte(_ bytes: [UInt8], offset: Int) {
        #expect(SourceText.firstInvalidUTF8Offset(in: bytes) == offset)
        #expect(throws: CompileError.invalidUTF8(path: "a.md", byteOffset: offset)) {
            try SourceText(decoding: bytes, path: "a.md")
        }
    }

    @Test func validUTF8HasNoInvalidOffset() {
        #expect(SourceText.firstInvalidUTF8Offset(in: Array("café — 💶".utf8)) == nil)
    }

    @Test func byteOrderMarkIsDroppedAndLineEndingsBecomeNewlines() throws {
        let text = try SourceText(decoding: [0xEF, 0xBB, 0xBF] + Array("one\r\ntwo\rthree\n".utf8), path: "a.txt")
        #expect(text.string == "one\ntwo\nthree\n")
        #expect(text.lines.map(\.text) == ["one", "two", "three"])
        #expect(text.lines.map(\.scalarStart) == [0, 4, 8])
    }

    @Test func byteColumnsBecomeScalarOffsets() {
        let text = SourceText("first\ncafé x 💶 y\n")
        // Line 2 bytes: c a f é(2) space x space 💶(4) space y
        #expect(text.scalarOffset(line: 2, byteColumn: 1) == 6)
        #expect(text.scalarOffset(line: 2, byteColumn: 7) == 11)     // "x"
        #expect(text.scalarOffset(line: 2, byteColumn: 14) == 15)    // "y", after the 4-byte euro note
        #expect(text.scalarOffset(line: 2, byteColumn: 99) == 16)    // clamped to the line's end
        #expect(text.slice(text.range(lines: 2, through: 2)) == "café x 💶 y")
    }

    @Test func rangesLeaveOutTrailingBlankLines() {
        let text = SourceText("a\nb\n\n  \nc")
        #expect(text.slice(text.range(lines: 1, through: 4)) == "a\nb")
    }
}
