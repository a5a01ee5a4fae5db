/// The body `POST /v1/chat` answers with (snake_case on the wire), and the last event of a stream.
struct ChatResponse: Encodable, Sendable {
    enum Mode: String, Encodable, Sendable {
        /// The model's answer, with at least one citation that points at a passage sent.
        case llm
        /// Sentences quoted from the passages (no model, or the model failed).
        case extractive
        /// Nothing relevant was retrieved (or the model said the passages do not answer).
        case refused
    }

    struct Citation: Encodable, Sendable {
        var n: Int
        var chunkId: String
        var document: String
        var title: String
        var headingPath: [String]
        /// The passage's sentence that best supports the answer.
        var quote: String
        var url: String
    }

    /// A passage retrieved for the question, numbered as the prompt numbers it.
    struct Retrieved: Encodable, Sendable {
        var n: Int
        var chunkId: String
        var document: String
        var title: String
        var headingPath: [String]
        /// Dense cosine similarity with the question.
        var score: Float
        var url: String
    }

    /// Why the model's answer was not used: `{"code": "llm_timeout", "message": …}`.
    struct Fallback: Encodable, Sendable {
        var code: String
        var message: String
    }

    struct Timings: Encodable, Sendable {
        var retrieval: Double
        var prompt: Double = 0
        /// Waiting for the model: its own time, network included.
        var llm: Double = 0
        var firstToken: Double?
        /// Checking citations, or building the extractive answer.
        var answer: Double = 0
        var total: Double = 0
        /// Everything but the model's own time: what this service adds.
        var overhead: Double = 0
    }

    var answer: String
    var citations: [Citation]
    var mode: Mode
    var retrieval: [Retrieved]
    var timingsMs: Timings
    /// The model that answered, when one did.
    var model: String?
    var fallback: Fallback?

    /// `POST /chat`'s shape, for the original system's clients: the answer and its sources.
    struct Legacy: Encodable {
        struct Source: Encodable {
            var title: String
            var document: String
            var section: String
            var url: String
            var quote: String
        }
        var answer: String
        var sources: [Source]
        var mode: Mode
    }

    var legacy: Legacy {
        Legacy(answer: answer, sources: citations.map {
            .init(title: $0.title, document: $0.document, section: $0.headingPath.joined(separator: " > "), url: $0.url, quote: $0.quote)
        }, mode: mode)
    }
}
