import Hummingbird
import NIOCore

/// Reads a request body whole, within a size limit and a deadline, so neither a huge body nor a
/// client sending one byte a second can hold a connection's handler for long.
enum RequestBodyReader {
    static func read(_ request: Request, limits: Limits) async throws -> [UInt8] {
        let limit = limits.maximumBodyByteCount
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw QueryError.bodyTooLarge(limit: limit)
        }
        let body = request.body
        let timeout = limits.bodyTimeoutSeconds
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                do {
                    var buffer = try await body.collect(upTo: limit)
                    return buffer.readBytes(length: buffer.readableBytes) ?? []
                } catch is NIOTooManyBytesError {
                    throw QueryError.bodyTooLarge(limit: limit)
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw QueryError.bodyTimedOut(seconds: timeout)
            }
            return bytes
        }
    }
}
