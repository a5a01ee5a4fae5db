import Testing
@testable import IndexFormat

@Suite struct ArtifactErrorTests {
    @Test func truncationMessageSaysWhereAndWhatToDo() {
        let message = ArtifactError.truncated(atByte: 100, expected: 4096).description
        #expect(message == "file truncated at byte 100 of 4096; the copy was cut short, copy or rebuild it again")
    }

    @Test func checksumsPrintAsSixteenHexDigits() {
        #expect(hex(UInt64(0xab)) == "0x00000000000000ab")
        #expect(hex([0x89, 0x50, 0x0a]) == "89 50 0a")
    }
}
