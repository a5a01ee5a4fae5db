#if canImport(Glibc)
import Glibc
#endif

/// One completion request run to its end on a client thread: the attempts and the retry, the
/// deadlines, and reading the reply (a whole JSON body, or an event stream piece by piece).
struct Exchange {
    let settings: LLMSettings
    let messages: [ChatMessage]
    let stream: Bool
    let cancelled: CancellationFlag
    let onText: @Sendable (String) -> Void

    /// Bodies and texts larger than this are not an answer we can use (memory bound).
    static let maximumBodyByteCount = 1 << 20

    func run() -> Result<ChatCompletionClient.Completion, AnswerError> {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + Self.duration(settings.totalTimeoutSeconds)
        var attempt = 1
        while true {
            let outcome = attemptOnce(deadline: deadline, clock: clock)
            switch outcome {
            case .success(var completion):
                completion.attemptCount = attempt
                return .success(completion)
            case .failure(let error):
                return .failure(error)
            case .retryable(let status, let retryAfter):
                // One retry, only if the wait and a little work still fit in the total deadline.
                let wait = Self.duration(min(retryAfter ?? settings.retryBackoffSeconds, settings.totalTimeoutSeconds))
                guard attempt == 1, clock.now + wait + .milliseconds(100) < deadline else { return .failure(.httpStatus(status)) }
                if !sleep(wait, clock: clock) { return .failure(.cancelled) }
                attempt += 1
            }
        }
    }

    private enum AttemptOutcome {
        case success(ChatCompletionClient.Completion)
        case failure(AnswerError)
        case retryable(status: Int, retryAfterSeconds: Double?)
    }

    /// What one attempt has read so far (touched by the transferring thread only).
    private final class AttemptState {
        var parser = ServerSentEventParser()
        var text = ""
        var body: [UInt8] = []
        var sawDone = false
        var sawFinishReason = false
        var firstTextSeen = false
        var model: String?
        var failure: AnswerError?
    }

    private func attemptOnce(deadline: ContinuousClock.Instant, clock: ContinuousClock) -> AttemptOutcome {
        let attemptStart = clock.now
        let remaining = deadline - attemptStart
        guard remaining > .zero else { return .failure(.totalTimedOut(seconds: settings.totalTimeoutSeconds)) }
        // Without streaming, the first text is the whole answer: only the total deadline applies.
        let firstTokenDeadline = stream ? min(deadline, attemptStart + Self.duration(settings.firstTokenTimeoutSeconds)) : deadline
        let state = AttemptState()
        let receiver = CurlTransfer.Receiver(
            onBody: { bytes, status in receive(bytes, status: status, into: state) },
            shouldStop: {
                if cancelled.isSet { state.failure = .cancelled; return true }
                if !state.firstTextSeen, clock.now > firstTokenDeadline, firstTokenDeadline < deadline {
                    state.failure = .firstTokenTimedOut(seconds: settings.firstTokenTimeoutSeconds)
                    return true
                }
                return false
            })
        // "Expect:" (empty) stops libcurl's "Expect: 100-continue" on bodies over 1 KiB, which costs a
        // round trip, or a whole second with servers that ignore it.
        var headers = ["Content-Type: application/json", "Accept: \(stream ? "text/event-stream" : "application/json")", "Expect:"]
        if let key = settings.apiKey { headers.append("Authorization: Bearer \(key)") }
        let request = CurlTransfer.Request(
            url: settings.completionsURL, headers: headers,
            body: CompletionWire.encode(.init(model: settings.model, messages: messages, stream: stream,
                                              maxTokens: settings.maximumAnswerTokens, temperature: 0.1)),
            connectTimeoutMilliseconds: Self.milliseconds(Self.duration(settings.connectTimeoutSeconds)),
            totalTimeoutMilliseconds: max(1, Self.milliseconds(remaining)))
        let result = CurlTransfer.perform(request, receiver: receiver)
        if let failure = state.failure { return .failure(failure) }
        switch result {
        case .failure(.timedOut):
            if receiver.status == 0, clock.now - attemptStart < Self.duration(settings.connectTimeoutSeconds) + .milliseconds(250) {
                return .failure(.connectTimedOut(seconds: settings.connectTimeoutSeconds))
            }
            if !state.firstTextSeen, firstTokenDeadline <= clock.now, firstTokenDeadline < deadline {
                return .failure(.firstTokenTimedOut(seconds: settings.firstTokenTimeoutSeconds))
            }
            return .failure(.totalTimedOut(seconds: settings.totalTimeoutSeconds))
        case .failure(.abortedByReceiver):
            return .failure(.malformedResponse("the reply could not be read"))
        case .failure(.other(let reason)):
            // A connection that broke after answer text arrived is a stream cut short.
            return .failure(state.firstTextSeen ? .streamEndedEarly : .transport(reason))
        case .success:
            break
        }
        let status = receiver.status
        if status == 429 || (500...599).contains(status) {
            return .retryable(status: status, retryAfterSeconds: receiver.retryAfterSeconds)
        }
        guard status == 200 else {
            // Not echoed: some providers quote part of the key in a 401's message.
            return .failure(.httpStatus(status))
        }
        if stream {
            guard state.sawDone || state.sawFinishReason else { return .failure(.streamEndedEarly) }
            return .success(.init(text: state.text, model: state.model, attemptCount: 1))
        }
        do throws(AnswerError) {
            let piece = try CompletionWire.decode(state.body)
            onText(piece.text)
            return .success(.init(text: piece.text, model: piece.model, attemptCount: 1))
        } catch {
            return .failure(scrubbed(error))
        }
    }

    /// Handles body bytes: error bodies and whole replies are kept; stream events are parsed and
    /// their text handed on at once. False stops the transfer.
    private func receive(_ bytes: [UInt8], status: Int, into state: AttemptState) -> Bool {
        guard status == 200, stream else {
            guard state.body.count + bytes.count <= Self.maximumBodyByteCount else {
                state.failure = .malformedResponse("the reply is larger than \(Self.maximumBodyByteCount) bytes")
                return false
            }
            state.body += bytes
            if status == 200 { state.firstTextSeen = true }
            return true
        }
        do throws(AnswerError) {
            for event in try state.parser.feed(bytes) {
                if event.data == "[DONE]" { state.sawDone = true; continue }
                let piece = try CompletionWire.decode(Array(event.data.utf8))
                if state.model == nil { state.model = piece.model }
                if piece.finishReason != nil { state.sawFinishReason = true }
                guard !piece.text.isEmpty else { continue }
                state.firstTextSeen = true
                state.text += piece.text
                guard state.text.utf8.count <= Self.maximumBodyByteCount else {
                    throw AnswerError.malformedResponse("the answer is longer than \(Self.maximumBodyByteCount) bytes")
                }
                onText(piece.text)
            }
            return true
        } catch {
            state.failure = scrubbed(error)
            return false
        }
    }

    /// `error` with the API key replaced, should a provider quote it.
    private func scrubbed(_ error: AnswerError) -> AnswerError {
        guard let key = settings.apiKey, !key.isEmpty, case .endpointError(let message) = error else { return error }
        return .endpointError(message.replacing(key, with: "[key]"))
    }

    /// Sleeps `duration` in short steps, false when cancelled meanwhile.
    private func sleep(_ duration: Duration, clock: ContinuousClock) -> Bool {
        let end = clock.now + duration
        while clock.now < end {
            if cancelled.isSet { return false }
            usleep(20_000)
        }
        return !cancelled.isSet
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int((seconds * 1000).rounded())) }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
