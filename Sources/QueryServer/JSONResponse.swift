#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// JSON bodies: snake_case keys, UTF-8, `Content-Type: application/json`.
enum JSONResponse {
    static func make<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(value)
        } catch {
            // Only non-finite floats can fail here, and scores are finite; answer something valid anyway.
            bytes = Data(#"{"error":{"code":"internal_error","message":"the response could not be encoded"}}"#.utf8)
            return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
