import Testing
@testable import Answering

@Suite struct ServerSentEventParserTests {
    static let stream = """
        : keep-alive

        data: {"a":1}

        event: note\r
        data: first line\r
        data: second line\r
        \r
        id: 7
        retry: 100
        data:no space

        : another comment
        data: [DONE]


        """

    static let expected: [ServerSentEventParser.Event] = [
        .init(name: "message", data: #"{"a":1}"#),
        .init(name: "note", data: "first line\nsecond line"),
        .init(name: "message", data: "no space"),
        .init(name: "message", data: "[DONE]"),
    ]

    @Test func parsesTheWholeStreamInOneRead() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array(Self.stream.utf8)) == Self.expected)
    }

    @Test func givesTheSameEventsWhateverTheReadBoundaries() throws {
        let bytes = Array(Self.stream.utf8)
        // Every single split point, and byte-at-a-time: events split across reads come out whole.
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events == Self.expected, "split at \(split)")
        }
        var parser = ServerSentEventParser()
        var events: [ServerSentEventParser.Event] = []
        for byte in bytes { events += try parser.feed([byte]) }
        #expect(events == Self.expected)
    }

    @Test func keepsAnUnfinishedEventUntilItsBlankLine() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("data: partial".utf8)).isEmpty)
        #expect(try parser.feed(Array("\n".utf8)).isEmpty)
        #expect(try parser.feed(Array("\n".utf8)) == [.init(name: "message", data: "partial")])
    }

    @Test func rejectsALineWithoutEnd() throws {
        var parser = ServerSentEventParser()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: ServerSentEventParser.maximumLineByteCount + 1)
        #expect(throws: AnswerError.self) { try parser.feed(long) }
    }
}
