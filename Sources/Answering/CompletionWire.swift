#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The OpenAI `/v1/chat/completions` wire format: the request we send and the pieces of replies
/// we read (a whole completion, a stream chunk, an error object). Fields we do not use are ignored,
/// and `usage` is optional (llama.cpp's server leaves it out of streams).
enum CompletionWire {
    struct Request: Encodable {
        var model: String
        var messages: [ChatMessage]
        var stream: Bool
        /// `max_tokens`, not `max_completion_tokens`: llama.cpp's server ignores the latter.
        var maxTokens: Int
        var temperature: Double

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, temperature
            case maxTokens = "max_tokens"
        }
    }

    static func encode(_ request: Request) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Strings and numbers only: encoding cannot fail.
        return (try? Array(encoder.encode(request))) ?? []
    }

    private struct Reply: Decodable {
        struct Choice: Decodable {
            struct Content: Decodable { var content: String? }
            var message: Content?
            var delta: Content?
            var finishReason: String?
            enum CodingKeys: String, CodingKey {
                case message, delta
                case finishReason = "finish_reason"
            }
        }
        struct Failure: Decodable {
            var message: String?
            var code: FlexibleValue?
        }
        var choices: [Choice]?
        var model: String?
        var error: Failure?
    }

    /// A string or a number: providers disagree on the type of `error.code`.
    private struct FlexibleValue: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) { text = string } else if let number = try? container.decode(Int.self) { text = String(number) } else { text = "?" }
        }
    }

    /// One decoded reply or stream chunk: its text, whether it finished, the model that answered.
    struct Piece: Equatable {
        var text: String
        var finishReason: String?
        var model: String?
    }

    /// Decodes a whole completion (`message`) or a stream chunk (`delta`). Error objects become
    /// `AnswerError.endpointError` with the provider's message, cut to 200 characters.
    static func decode(_ bytes: some Collection<UInt8>) throws(AnswerError) -> Piece {
        let reply: Reply
        do {
            reply = try JSONDecoder().decode(Reply.self, from: Data(bytes))
        } catch {
            throw .malformedResponse("a reply is not valid JSON")
        }
        if let failure = reply.error {
            let message = failure.message ?? failure.code?.text ?? "no message"
            throw .endpointError(String(message.prefix(200)))
        }
        guard let choices = reply.choices else { throw .malformedResponse("a reply has no 'choices'") }
        guard let choice = choices.first else {
            // Some servers send a last chunk with empty choices (and usage): nothing to add.
            return Piece(text: "", finishReason: nil, model: reply.model)
        }
        let text = choice.delta?.content ?? choice.message?.content ?? ""
        return Piece(text: text, finishReason: choice.finishReason, model: reply.model)
    }
}
