import IndexFormat

/// Why the daemon could not answer a request. Every case says what is wrong and what to do;
/// `ErrorResponse.make(for:)` is the one place these become HTTP statuses.
///
/// Messages never contain the question's text (only its length), so they are safe to log.
public enum QueryError: Error, Equatable, Sendable {
    /// The body is not JSON at all (or not UTF-8).
    case invalidJSON(reason: String)
    /// A field is missing, has the wrong type, or an unusable value.
    case invalidField(field: String, reason: String)
    case emptyQuery
    case queryTooLong(characterCount: Int, limit: Int)
    case kOutOfRange(value: Int, allowed: ClosedRange<Int>)
    case unknownDocuments([String])
    case bodyTooLarge(limit: Int)
    case bodyTimedOut(seconds: Double)
    case routeNotFound(path: String)
    case methodNotAllowed(method: String, allowed: [String])
    case documentNotFound(id: String)
    /// Every embedding slot is busy and the wait queue is full, or the wait passed its deadline.
    case overloaded(retryAfterSeconds: Int)
    /// Resident memory is above the high-water mark for this kind of request.
    case memoryPressure(residentByteCount: Int, thresholdByteCount: Int, retryAfterSeconds: Int)
    /// The model folder could not be loaded (missing, damaged).
    case modelUnavailable(folder: String, reason: String)
    /// The model's fingerprint is not the one the artifact was built with.
    case modelMismatch(folder: String, modelFingerprint: String, artifactFingerprint: String)
    /// The artifact could not be read while answering (logged; the client sees a generic 500).
    case artifactDamaged(ArtifactError)
}

extension QueryError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidJSON(let reason):
            "the request body is not valid JSON (\(reason)); send a UTF-8 JSON object such as {\"query\": \"...\"}"
        case .invalidField(let field, let reason):
            "field '\(field)' \(reason)"
        case .emptyQuery:
            "'query' is empty or only whitespace; send the question as text"
        case .queryTooLong(let count, let limit):
            "'query' has \(count) characters, above the limit of \(limit); shorten the question"
        case .kOutOfRange(let value, let allowed):
            "'k' is \(value); it must be an integer from \(allowed.lowerBound) to \(allowed.upperBound)"
        case .unknownDocuments(let paths):
            "'documents' names documents this index does not hold: \(paths.prefix(5).joined(separator: ", "))\(paths.count > 5 ? ", …" : ""); list them with GET /v1/documents"
        case .bodyTooLarge(let limit):
            "the request body is larger than \(limit) bytes; send a smaller request"
        case .bodyTimedOut(let seconds):
            "the request body did not arrive within \(seconds) seconds; send it at once"
        case .routeNotFound(let path):
            "no route for \(path); see GET /v1/status and the README for the API"
        case .methodNotAllowed(let method, let allowed):
            "\(method) is not allowed here; use \(allowed.joined(separator: " or "))"
        case .documentNotFound(let id):
            "no document '\(id)'; pass its index or its path (URL-encoded), as GET /v1/documents lists them"
        case .overloaded(let retry):
            "the server is busy (every embedding slot taken and the queue full or too slow); retry in \(retry) s"
        case .memoryPressure(let resident, let threshold, let retry):
            "the server is near its memory limit (\(resident / 1_048_576) MiB resident, shedding above \(threshold / 1_048_576) MiB); retry in \(retry) s"
        case .modelUnavailable(let folder, let reason):
            "the embedding model at \(folder) could not be loaded (\(reason)); run tools/fetch-model or pass --model"
        case .modelMismatch(let folder, let model, let artifact):
            "the model at \(folder) has fingerprint \(model) but the artifact was built with \(artifact); serve the model the artifact was built with, or rebuild the artifact with policyc"
        case .artifactDamaged(let error):
            "the artifact could not be read: \(error)"
        }
    }
}
