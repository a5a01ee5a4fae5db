#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird

/// `POST /v1/chat` with `"stream": true`, as Server-Sent Events: `retrieval` (the passages),
/// then `delta` events (`{"text"}`, the model's text as it arrives; its citations are checked only
/// at the end), then `done` (the whole `ChatResponse`: checked answer, citations, mode, timings),
/// or `error` (`{"error": {"code", "message"}}`) when answering failed midway.
enum ChatStream {
    private struct Passages: Encodable { var retrieval: [ChatResponse.Retrieved] }
    private struct Delta: Encodable { var text: String }

    static func response(_ service: ChatService, _ prepared: ChatService.Prepared) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
            // Proxies (nginx, Render's) must pass events on at once.
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(frame("retrieval", Passages(retrieval: prepared.retrieved)))
            let (texts, continuation) = AsyncStream<String>.makeStream()
            let final = try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                group.addTask {
                    let response = await service.answer(prepared) { continuation.yield($0) }
                    continuation.finish()
                    return response
                }
                // A client that hangs up makes a write throw: the group cancels the answer, and
                // the model's transfer stops within a second.
                for await text in texts { try await writer.write(frame("delta", Delta(text: text))) }
                guard let response = try await group.next() else { throw CancellationError() }
                return response
            }
            try await writer.write(frame("done", final))
            try await writer.finish(nil)
        })
    }

    /// One event: "event: NAME\ndata: JSON\n\n" (JSON has no raw newlines, so one data line).
    static func frame(_ name: String, _ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
            ?? #"{"error":{"code":"internal_error","message":"the event could not be encoded"}}"#
        return ByteBuffer(string: "event: \(json.hasPrefix(#"{"error""#) ? "error" : name)\ndata: \(json)\n\n")
    }
}
