// Unsafe code allowed here: a listening socket on 127.0.0.1 through the socket API, so the server
// controls every byte and every pause of the wire (split events, a close mid-stream, silence).
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A test server that speaks OpenAI's `/v1/chat/completions` wire format on 127.0.0.1 and can be
/// told to misbehave. Each connection gets one response and is closed (`Connection: close`).
///
/// It only ever listens on the loopback address; `stop()` (or releasing it) closes the socket.
@safe public final class FakeLanguageModelServer: @unchecked Sendable {   // state behind a Mutex; fds used by one thread each
    public enum Behaviour: Sendable {
        /// The reply `text`: a JSON completion, or with `"stream": true` an event stream whose
        /// events are split across writes and batched, with keep-alive comments between.
        case answer(String)
        /// Streams `pieces` one event at a time, `intervalMilliseconds` apart.
        case drip(pieces: [String], intervalMilliseconds: Int)
        /// The first request gets 429 with `Retry-After: seconds`, later ones `answer(text)`.
        case rateLimitedOnce(retryAfterSeconds: Int, text: String)
        /// 500 with a Python traceback as the body, every time (as llama.cpp's server on a bad field).
        case serverError
        /// 200 with a JSON body cut short (non-streaming) or an event whose data is not JSON.
        case malformedJSON
        /// 200 text/event-stream whose lines are not events at all.
        case brokenEventStream
        /// Two events, then the connection closes: no `[DONE]`.
        case closeMidStream
        /// 200 with an empty body, as llama.cpp's server does for a prompt over its context.
        case emptyOK
        /// An error object in the middle of the stream.
        case errorInStream(message: String)
        /// Reads the request and never answers (until the client hangs up).
        case neverAnswer
    }

    /// A request as received: its header block and body.
    public struct Received: Sendable {
        public var head: String
        public var body: String
    }

    public let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let state = Mutex<(requests: [Received], stopped: Bool, hangUps: [Duration])>(([], false, []))
    /// Text the model's "fixed reply" contains in tests: echoed headers must never carry the key.
    public let model = "fake-model"

    public init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(message: "socket failed") }
        var yes: Int32 = 1
        _ = unsafe setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian   // 127.0.0.1 only
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = unsafe withUnsafeMutablePointer(to: &address) { pointer in
            unsafe pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                unsafe bind(descriptor, address, length) == 0 && listen(descriptor, 64) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { close(descriptor); throw Failure(message: "bind to 127.0.0.1 failed") }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    public struct Failure: Error { public var message: String }

    /// Requests received so far.
    public var requests: [Received] { state.withLock { $0.requests } }

    /// For `neverAnswer` and `drip`: how long after its request each client hung up, measured
    /// here, so a test's own scheduling delays do not count (a busy test process resumes late).
    public var hangUpDelays: [Duration] { state.withLock { $0.hangUps } }

    /// Stops accepting (connections in progress finish on their own threads).
    public func stop() {
        let wasStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))   // wakes the blocked accept
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if state.withLock({ $0.stopped }) { return }
                continue
            }
            Thread { [self] in
                serve(connection)
                close(connection)
            }.start()
        }
    }

    // MARK: One exchange

    private func serve(_ connection: Int32) {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)   // a test never waits on us forever
        _ = unsafe setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(connection) else { return }
        let index = state.withLock { state in
            state.requests.append(request)
            return state.requests.count
        }
        let received = ContinuousClock.now
        let streaming = request.body.contains(#""stream":true"#)
        switch behaviour {
        case .answer(let text):
            answer(text, streaming: streaming, on: connection)
        case .drip(let pieces, let interval):
            send(connection, Self.streamHead)
            for piece in pieces {
                guard send(connection, Self.event(piece)) else {
                    let delay = ContinuousClock.now - received
                    state.withLock { $0.hangUps.append(delay) }
                    return
                }
                usleep(UInt32(interval * 1000))
            }
            send(connection, Self.event(nil, finish: "stop") + "data: [DONE]\n\n")
        case .rateLimitedOnce(let retryAfter, let text):
            if index == 1 {
                let body = #"{"error":{"message":"Rate limit reached","type":"rate_limit","code":429}}"#
                send(connection, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: \(retryAfter)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            } else {
                answer(text, streaming: streaming, on: connection)
            }
        case .serverError:
            // The traceback quotes the request's headers, Authorization included, as careless servers do.
            let body = "Traceback (most recent call last):\n  File \"server.py\", line 1\nTypeError: bad field\nheaders: \(request.head)"
            send(connection, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        case .malformedJSON:
            if streaming {
                send(connection, Self.streamHead + "data: {\"choices\": [{\"delta\": {\"content\": \"Hel\n\n")
            } else {
                let body = #"{"choices": [{"message": {"content": "Hel"#
                send(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            }
        case .brokenEventStream:
            send(connection, Self.streamHead + "this is not an event stream\n<html>502 Bad Gateway</html>\n\n")
        case .closeMidStream:
            send(connection, Self.streamHead + Self.event("Employees may work ") + Self.event("abroad for"))
            usleep(50_000)
        case .emptyOK:
            send(connection, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        case .errorInStream(let message):
            send(connection, Self.streamHead + Self.event("Employees ")
                + "data: {\"error\":{\"message\":\"\(message)\",\"code\":500}}\n\n")
        case .neverAnswer:
            var byte: UInt8 = 0
            while unsafe recv(connection, &byte, 1, 0) > 0 {}   // until the client hangs up (or 30 s)
            let delay = ContinuousClock.now - received
            state.withLock { $0.hangUps.append(delay) }
        }
    }

    private func answer(_ text: String, streaming: Bool, on connection: Int32) {
        guard streaming else {
            let body = Self.completion(text)
            send(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            return
        }
        // Words as events; sent as: a comment, two events in one write, then each event split in two.
        let words = text.split(separator: " ", omittingEmptySubsequences: false).enumerated().map { index, word in
            index == 0 ? String(word) : " " + word
        }
        var events = words.map { Self.event($0) }
        events.append(Self.event(nil, finish: "stop") + "data: [DONE]\n\n")
        send(connection, Self.streamHead + ": keep-alive\n\n")
        if events.count >= 2 { send(connection, events[0] + events[1]); events.removeFirst(2) }
        for event in events {
            let bytes = Array(event.utf8)
            let half = bytes.count / 2
            send(connection, Array(bytes[..<half]))
            usleep(2_000)
            send(connection, Array(bytes[half...]))
        }
    }

    static let streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"

    /// One `chat.completion.chunk` event (no `usage`, as llama.cpp's server streams).
    static func event(_ content: String?, finish: String? = nil) -> String {
        let delta = content.map { #"{"content":\#(jsonString($0))}"# } ?? "{}"
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":\(delta),\"finish_reason\":\(reason)}]}\n\n"
    }

    static func completion(_ text: String) -> String {
        #"{"id":"chatcmpl-1","object":"chat.completion","model":"fake-model","choices":[{"index":0,"message":{"role":"assistant","content":\#(jsonString(text))},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"#
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    // MARK: Bytes

    private func readRequest(_ connection: Int32) -> Received? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        var contentLength = 0
        while true {
            if let end = headEnd, data.count >= end + contentLength { break }
            let count = unsafe buffer.withUnsafeMutableBytes { unsafe recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            data += buffer[0..<count]
            if headEnd == nil, let range = Self.find([13, 10, 13, 10], in: data) {
                headEnd = range
                let head = String(decoding: data[..<range], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        guard let end = headEnd else { return nil }
        return Received(head: String(decoding: data[..<end], as: UTF8.self),
                        body: String(decoding: data[(end + 4)...], as: UTF8.self))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle { return start }
        return nil
    }

    /// False when the peer has gone.
    @discardableResult
    private func send(_ connection: Int32, _ text: String) -> Bool { send(connection, Array(text.utf8)) }

    @discardableResult
    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = unsafe bytes.withUnsafeBytes { unsafe Glibc.send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
