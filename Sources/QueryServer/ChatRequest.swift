#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Answering

/// The body of `POST /v1/chat`: `{"question", "history": [{"role", "content"}], "stream", "k"}`,
/// or of the original system's `POST /chat`: `{"message"}`. Unknown keys are ignored.
struct ChatRequest: Sendable, Equatable {
    var question: String
    /// Earlier turns, oldest first (user and assistant only).
    var history: [ChatMessage]
    var stream: Bool
    var k: Int

    /// Passages retrieved at most: more would not fit a small model's prompt.
    static let k: ClosedRange<Int> = 1...10
    static let defaultK = 5
    static let maximumHistoryCount = 10

    private struct Wire: Decodable {
        struct Turn: Decodable {
            var role: String
            var content: String
        }
        var question: String?
        var message: String?
        var history: [Turn]?
        var stream: Bool?
        var k: Int?
    }

    /// Decodes and validates `body`; `field` is "question" (`/v1/chat`) or "message" (`/chat`).
    static func decode(_ body: [UInt8], field: String, limits: Limits) throws(QueryError) -> ChatRequest {
        guard String(validating: body, as: UTF8.self) != nil else { throw .invalidJSON(reason: "the body is not valid UTF-8") }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            let name = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            throw .invalidField(field: name, reason: "has the wrong type (question: a string, history: a list of {role, content}, stream: true or false, k: an integer)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidField(field: "history.\(key.stringValue)", reason: "is required in every turn")
        } catch {
            throw .invalidJSON(reason: "it does not parse as a JSON object")
        }
        guard let raw = field == "message" ? wire.message : wire.question else {
            throw .invalidField(field: field, reason: "is required: send the question as text")
        }
        let question = raw.trimmingWhitespace
        guard !question.isEmpty else { throw .invalidField(field: field, reason: "is empty or only whitespace; send the question as text") }
        let count = question.unicodeScalars.count
        guard count <= limits.maximumQueryCharacterCount else {
            throw .invalidField(field: field, reason: "has \(count) characters, above the limit of \(limits.maximumQueryCharacterCount); shorten the question")
        }
        let turns = wire.history ?? []
        guard turns.count <= maximumHistoryCount else {
            throw .invalidField(field: "history", reason: "has \(turns.count) turns; send at most the last \(maximumHistoryCount)")
        }
        var history: [ChatMessage] = []
        for (index, turn) in turns.enumerated() {
            guard let role = ChatMessage.Role(rawValue: turn.role), role != .system else {
                throw .invalidField(field: "history[\(index)].role", reason: "must be \"user\" or \"assistant\"")
            }
            history.append(ChatMessage(role: role, content: turn.content))
        }
        let k = wire.k ?? defaultK
        guard Self.k.contains(k) else { throw .kOutOfRange(value: k, allowed: Self.k) }
        return ChatRequest(question: question, history: history, stream: wire.stream ?? false, k: k)
    }
}
