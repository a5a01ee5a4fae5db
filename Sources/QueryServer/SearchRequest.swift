#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Retrieval

/// The body of `POST /v1/search`: `{"query": "...", "k": 5, "documents": ["path", ...],
/// "mode": "hybrid" | "dense" | "lexical"}`. Unknown keys are ignored.
package struct SearchRequest: Sendable, Equatable {
    /// The question with surrounding whitespace removed.
    package var query: String
    package var k: Int
    /// Document paths to search within; nil searches everything.
    package var documents: [String]?
    /// How to rank (default hybrid).
    package var mode: SearchMode = .hybrid

    package init(query: String, k: Int, documents: [String]?, mode: SearchMode = .hybrid) {
        self.query = query
        self.k = k
        self.documents = documents
        self.mode = mode
    }

    private struct Wire: Decodable {
        enum CodingKeys: String, CodingKey { case query, k, documents, mode }
        var query: String
        var k: Int?
        /// `k` was a number but not an integer Swift can hold (2.5, 1e30).
        var kIsNotAnInteger = false
        var documents: [String]?
        var mode: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            query = try container.decode(String.self, forKey: .query)
            mode = try container.decodeIfPresent(String.self, forKey: .mode)
            documents = try container.decodeIfPresent([String].self, forKey: .documents)
            if container.contains(.k), try !container.decodeNil(forKey: .k) {
                if let value = try? container.decode(Int.self, forKey: .k) {
                    k = value
                } else if (try? container.decode(Double.self, forKey: .k)) != nil {
                    kIsNotAnInteger = true
                } else {
                    throw DecodingError.typeMismatch(Int.self, .init(codingPath: [CodingKeys.k], debugDescription: "k"))
                }
            }
        }
    }

    /// Decodes and validates `body`. Each problem is a `QueryError` naming the field.
    package static func decode(_ body: [UInt8], limits: Limits) throws(QueryError) -> SearchRequest {
        guard String(validating: body, as: UTF8.self) != nil else { throw .invalidJSON(reason: "the body is not valid UTF-8") }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw .invalidJSON(reason: "unreadable")
        }
        let query = wire.query.trimmingWhitespace
        guard !query.isEmpty else { throw .emptyQuery }
        let characterCount = query.unicodeScalars.count
        guard characterCount <= limits.maximumQueryCharacterCount else {
            throw .queryTooLong(characterCount: characterCount, limit: limits.maximumQueryCharacterCount)
        }
        if wire.kIsNotAnInteger {
            throw .invalidField(field: "k", reason: "must be an integer from \(limits.k.lowerBound) to \(limits.k.upperBound)")
        }
        let k = wire.k ?? limits.defaultK
        guard limits.k.contains(k) else { throw .kOutOfRange(value: k, allowed: limits.k) }
        if let documents = wire.documents, documents.isEmpty {
            throw .invalidField(field: "documents", reason: "is an empty list; leave it out to search every document")
        }
        var mode = SearchMode.hybrid
        if let name = wire.mode {
            guard let named = SearchMode(rawValue: name) else {
                throw .invalidField(field: "mode", reason: "must be \"hybrid\", \"dense\" or \"lexical\"")
            }
            mode = named
        }
        return SearchRequest(query: query, k: k, documents: wire.documents, mode: mode)
    }

    /// A decoding failure as a message naming the field, without echoing the body.
    private static func describe(_ error: DecodingError) -> QueryError {
        func name(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return .invalidField(field: key.stringValue, reason: "is required")
        case .valueNotFound(_, let context):
            return .invalidField(field: name(context.codingPath), reason: "is null; give it a value or leave it out")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .invalidJSON(reason: "the body must be a JSON object") }
            return .invalidField(field: name(context.codingPath), reason: "must be \(expected(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .invalidJSON(reason: "it does not parse") }
            return .invalidField(field: name(context.codingPath), reason: "has an unusable value (for 'k', an integer from 1 to 50)")
        @unknown default:
            return .invalidJSON(reason: "it does not parse")
        }
    }

    private static func expected(_ type: Any.Type) -> String {
        if type == Int.self { return "an integer" }
        if type == String.self { return "a string" }
        if type == [String].self || type == [Any].self { return "a list of strings" }
        return "of another type"
    }
}
