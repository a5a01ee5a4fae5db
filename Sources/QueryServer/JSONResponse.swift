#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// A body that writes its own JSON, as `JSONResponse.encode` would have made it.
protocol HandWrittenJSON {
    func jsonBytes() throws(JSONWriter.NonFiniteNumber) -> [UInt8]
}

/// JSON bodies: snake_case keys, UTF-8, `Content-Type: application/json`.
enum JSONResponse {
    static func make<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        let bytes: Data
        do {
            bytes = try (value as? any HandWrittenJSON).map { Data(try $0.jsonBytes()) } ?? encode(value)
        } catch {
            // Only non-finite floats can fail here, and scores are finite; answer something valid anyway.
            bytes = Data(#"{"error":{"code":"internal_error","message":"the response could not be encoded"}}"#.utf8)
            return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `value` through JSONEncoder: keys in snake_case and sorted, slashes unescaped.
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return try encoder.encode(value)
    }
}
