import Testing
import IndexCompiler

@Suite struct CompileErrorTests {
    @Test func invalidUTF8NamesTheFileAndByte() {
        #expect(CompileError.invalidUTF8(path: "hr/travel.md", byteOffset: 812).description
                == "hr/travel.md is not valid UTF-8 at byte 812; re-save it as UTF-8")
    }
}
