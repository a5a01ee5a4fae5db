/// Incremental parser for a `text/event-stream` body (the WHATWG "event stream interpretation").
///
/// Bytes arrive in whatever pieces the network delivers: an event split across reads, several
/// events in one read, a line ending split between "\r" and "\n". `feed` keeps the partial line
/// and returns only complete events. Comment lines (": keep-alive") are skipped; `data:` lines of
/// one event are joined with "\n"; an empty line ends the event. Fields other than `data` and
/// `event` (`id`, `retry`) are ignored: the chat stream does not reconnect.
public struct ServerSentEventParser: Sendable {
    public struct Event: Sendable, Equatable {
        /// The `event:` field, "message" when absent.
        public var name: String
        public var data: String
    }

    /// Longest line kept; beyond it the stream is not an event stream we can use.
    public static let maximumLineByteCount = 1 << 20

    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false
    private var dataLines: [String] = []
    private var eventName = ""
    private var sawField = false

    public init() {}

    /// The events completed by `bytes`. Throws when a single line grows past the limit.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(AnswerError) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if lastWasCarriageReturn {
                lastWasCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }   // "\r\n" is one line ending
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                lastWasCarriageReturn = true
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
                guard line.count <= Self.maximumLineByteCount else {
                    throw .malformedResponse("an event-stream line is longer than \(Self.maximumLineByteCount) bytes")
                }
            }
        }
        return events
    }

    /// The event in progress when the stream ends without its blank line, as browsers drop it: nil.
    /// Callers treat a stream without `[DONE]` as ended early.
    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer { dataLines = []; eventName = ""; sawField = false }
            guard sawField, !dataLines.isEmpty else { return nil }
            return Event(name: eventName.isEmpty ? "message" : eventName, data: dataLines.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }   // a comment, often a keep-alive
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value)); sawField = true
        case "event": eventName = String(value); sawField = true
        default: break
        }
        return nil
    }
}
