/// Why the language model gave no usable answer. Every case says what went wrong and what to do;
/// none carries the API key, the question or passage text, so all are safe to log and to show.
public enum AnswerError: Error, Equatable, Sendable {
    /// libcurl could not set up or run the transfer (refused connection, DNS, TLS).
    case transport(String)
    /// No TCP connection within the connect deadline.
    case connectTimedOut(seconds: Double)
    /// Connected, but no answer text within the first-token deadline.
    case firstTokenTimedOut(seconds: Double)
    /// The answer did not finish within the total deadline (retries included).
    case totalTimedOut(seconds: Double)
    /// The endpoint answered with an HTTP error status (after the one retry for 429 and 5xx).
    case httpStatus(Int)
    /// The body was not the OpenAI wire format (malformed JSON, no choices).
    case malformedResponse(String)
    /// The endpoint sent an error object (`{"error": {"message": ...}}`), in a body or mid-stream.
    case endpointError(String)
    /// The stream stopped before `[DONE]` or a finish reason (a server that closed mid-answer).
    case streamEndedEarly
    /// Every connection to the model is busy; the caller answers without it.
    case busy
    /// The request was cancelled (the client went away).
    case cancelled
}

extension AnswerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .transport(let reason):
            "the language model could not be reached (\(reason)); check LLM_BASE_URL and that the server runs"
        case .connectTimedOut(let seconds):
            "the language model did not accept a connection within \(seconds) s; check LLM_BASE_URL and the network"
        case .firstTokenTimedOut(let seconds):
            "the language model sent no answer text within \(seconds) s; it may be overloaded, or use a faster model"
        case .totalTimedOut(let seconds):
            "the language model did not finish within \(seconds) s; it may be overloaded, or raise the deadline"
        case .httpStatus(let status):
            "the language model endpoint answered HTTP \(status); check LLM_MODEL, LLM_API_KEY and the provider's status"
        case .malformedResponse(let reason):
            "the language model's reply is not in the OpenAI chat format (\(reason)); check that LLM_BASE_URL is an OpenAI-compatible /v1 endpoint"
        case .endpointError(let message):
            "the language model endpoint reported an error (\(message)); check LLM_MODEL and the provider's status"
        case .streamEndedEarly:
            "the language model's stream ended before the answer was complete; it may have hit its context limit or crashed"
        case .busy:
            "every connection to the language model is in use; answered from the passages instead"
        case .cancelled:
            "the request was cancelled before the language model finished"
        }
    }

    /// A short machine-readable code for the API (`"llm_timeout"`, `"llm_http_status"`, …).
    public var code: String {
        switch self {
        case .transport: "llm_unreachable"
        case .connectTimedOut, .firstTokenTimedOut, .totalTimedOut: "llm_timeout"
        case .httpStatus: "llm_http_status"
        case .malformedResponse: "llm_malformed_response"
        case .endpointError: "llm_error"
        case .streamEndedEarly: "llm_stream_ended_early"
        case .busy: "llm_busy"
        case .cancelled: "cancelled"
        }
    }
}
