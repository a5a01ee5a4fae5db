import Hummingbird
import Logging
import NIOHTTP1

/// The body of every error: `{"error": {"code": "...", "message": "..."}}`.
struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }
    var error: Detail
}

/// The one place errors become HTTP responses.
enum ErrorResponse {
    /// Status, machine-readable code, message and extra headers for `error`. Errors this module does
    /// not know become a 500 with a generic message; their details go to `logger` only.
    static func make(for error: any Error, logger: Logger) -> Response {
        let (status, code, message, headers) = classify(error, logger: logger)
        var response = JSONResponse.make(ErrorBody(error: .init(code: code, message: message)), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    static func classify(_ error: any Error, logger: Logger) -> (HTTPResponse.Status, String, String, HTTPFields) {
        switch error {
        case let error as QueryError:
            let message = error.description
            switch error {
            case .invalidJSON: return (.badRequest, "invalid_json", message, [:])
            case .invalidField: return (.badRequest, "invalid_request", message, [:])
            case .emptyQuery: return (.badRequest, "empty_query", message, [:])
            case .queryTooLong: return (.badRequest, "query_too_long", message, [:])
            case .kOutOfRange: return (.badRequest, "invalid_k", message, [:])
            case .unknownDocuments: return (.badRequest, "unknown_documents", message, [:])
            case .bodyTooLarge: return (.contentTooLarge, "body_too_large", message, [.connection: "close"])
            case .bodyTimedOut: return (.requestTimeout, "request_timeout", message, [.connection: "close"])
            case .routeNotFound: return (.notFound, "not_found", message, [:])
            case .methodNotAllowed(_, let allowed): return (.methodNotAllowed, "method_not_allowed", message, [.allow: allowed.joined(separator: ", ")])
            case .documentNotFound: return (.notFound, "document_not_found", message, [:])
            case .overloaded(let retry): return (.serviceUnavailable, "overloaded", message, [.retryAfter: "\(retry)"])
            case .memoryPressure(_, _, let retry): return (.serviceUnavailable, "memory_pressure", message, [.retryAfter: "\(retry)"])
            case .modelUnavailable: return (.serviceUnavailable, "model_unavailable", message, [.retryAfter: "30"])
            case .modelMismatch: return (.serviceUnavailable, "model_mismatch", message, [:])
            case .artifactDamaged:
                logger.error("artifact read failed while answering", metadata: ["error": "\(error)"])
                return (.internalServerError, "internal_error", "the server failed to answer; the details are in its log", [:])
            }
        case let error as HTTPError:
            // Hummingbird's own errors: the router's 404 and body-size checks.
            switch error.status {
            case .notFound: return (.notFound, "not_found", "no such route; see the README for the API", [:])
            case .contentTooLarge: return (.contentTooLarge, "body_too_large", "the request body is too large", [.connection: "close"])
            default:
                return (error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase, [:])
            }
        case let error as HTTPParserError:
            // Malformed HTTP, or the client hung up mid-body: nobody may be listening; close.
            logger.debug("bad HTTP from the client", metadata: ["error": "\(error)"])
            return (.badRequest, "invalid_http", "the request is not well-formed HTTP/1.1", [.connection: "close"])
        default:
            logger.error("unexpected error while answering", metadata: ["error": "\(String(reflecting: error))"])
            return (.internalServerError, "internal_error", "the server failed to answer; the details are in its log", [:])
        }
    }
}

/// Turns every error a handler throws into the JSON error body, through `ErrorResponse`.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ErrorResponse.make(for: error, logger: context.logger)
        }
    }
}
