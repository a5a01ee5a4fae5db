/// Where the language model is and how long it may take. Built from `LLM_BASE_URL`, `LLM_MODEL`
/// and `LLM_API_KEY` (environment only); the key never appears in `description`, logs or errors.
public struct LLMSettings: Sendable, CustomStringConvertible {
    /// The OpenAI-compatible base, ending in `/v1` (`https://openrouter.ai/api/v1`,
    /// `http://127.0.0.1:8000/v1`); `/chat/completions` is appended.
    public var baseURL: String
    public var model: String
    /// Sent as `Authorization: Bearer …` when present (local servers need none).
    public var apiKey: String?
    public var connectTimeoutSeconds: Double = 3
    /// From sending the request to the first answer text.
    public var firstTokenTimeoutSeconds: Double = 10
    /// The whole answer, the one retry included.
    public var totalTimeoutSeconds: Double = 30
    /// `max_tokens` (llama.cpp's server ignores `max_completion_tokens`).
    public var maximumAnswerTokens = 400
    /// Default wait before the one retry when a 429 or 5xx carries no `Retry-After`.
    public var retryBackoffSeconds: Double = 0.5
    /// Transfers to the model at once; more questions are answered extractively (`AnswerError.busy`).
    public var concurrentRequestCount = 4
    /// Rough budget for the prompt (rules, passages, history, question), in tokens.
    public var promptTokenBudget = 1_500

    public init(baseURL: String, model: String, apiKey: String?) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
    }

    /// `baseURL` + `/chat/completions`, without a doubled slash.
    public var completionsURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    /// Reads `LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY` and the optional deadlines
    /// (`LLM_CONNECT_TIMEOUT_SECONDS`, `LLM_FIRST_TOKEN_TIMEOUT_SECONDS`, `LLM_TOTAL_TIMEOUT_SECONDS`,
    /// `LLM_MAX_TOKENS`, `LLM_PROMPT_TOKENS`) from `environment`. Nil when no base URL is set: the
    /// daemon then answers extractively. Throws a message (without the key) for unusable values.
    public static func fromEnvironment(_ environment: [String: String]) throws(SettingsError) -> LLMSettings? {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(), !text.isEmpty else { return nil }
            return text
        }
        guard let base = value("LLM_BASE_URL") else { return nil }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw SettingsError(message: "LLM_BASE_URL must start with http:// or https:// (such as http://127.0.0.1:8000/v1)")
        }
        guard let model = value("LLM_MODEL") else {
            throw SettingsError(message: "LLM_BASE_URL is set but LLM_MODEL is not; set the model's name as the endpoint knows it")
        }
        var settings = LLMSettings(baseURL: base, model: model, apiKey: value("LLM_API_KEY"))
        func seconds(_ name: String, _ target: inout Double) throws(SettingsError) {
            guard let text = value(name) else { return }
            guard let number = Double(text), number > 0, number.isFinite else {
                throw SettingsError(message: "\(name)=\(text) is not a positive number of seconds")
            }
            target = number
        }
        func count(_ name: String, _ target: inout Int) throws(SettingsError) {
            guard let text = value(name) else { return }
            guard let number = Int(text), number > 0 else { throw SettingsError(message: "\(name)=\(text) is not a positive integer") }
            target = number
        }
        try seconds("LLM_CONNECT_TIMEOUT_SECONDS", &settings.connectTimeoutSeconds)
        try seconds("LLM_FIRST_TOKEN_TIMEOUT_SECONDS", &settings.firstTokenTimeoutSeconds)
        try seconds("LLM_TOTAL_TIMEOUT_SECONDS", &settings.totalTimeoutSeconds)
        try count("LLM_MAX_TOKENS", &settings.maximumAnswerTokens)
        try count("LLM_PROMPT_TOKENS", &settings.promptTokenBudget)
        return settings
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// `completionsURL` as logs may show it: without credentials in the authority
    /// (`https://user:secret@host`) and without the query string (some providers take `?key=`).
    public var redactedCompletionsURL: String {
        var url = completionsURL
        if let query = url.firstIndex(of: "?") { url = String(url[..<query]) + "?…" }
        let parts = url.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return url }
        let rest = parts[1]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return parts[0] + "://…@" + rest[rest.index(after: at)...]
    }

    /// Everything but the key (and any secret in the URL).
    public var description: String {
        "\(redactedCompletionsURL) model=\(model) key=\(apiKey == nil ? "none" : "set") deadlines(connect=\(connectTimeoutSeconds)s first_token=\(firstTokenTimeoutSeconds)s total=\(totalTimeoutSeconds)s)"
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and newlines.
    func trimmingCharacters() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
