import Foundation
@testable import QueryServer
import Testing

/// The search body spells its snake_case keys itself (it is encoded without the key conversion):
/// every key on the wire must be what the conversion would have made of the property's name.
@Suite struct SearchResponseKeysTests {
    @Test func everyKeyIsThePropertyNameInSnakeCase() throws {
        let result = SearchResponse.Result(
            rank: 1, chunkId: "hr/leave.md#3", score: 0.8, rankScore: 1.2, denseScore: 0.8, denseRank: 1,
            lexicalScore: 9.5, lexicalRank: 2, chunkIds: ["hr/leave.md#3"],
            document: .init(index: 0, path: "hr/leave.md", title: "Leave"), headingPath: ["Leave", "Annual"],
            headingPathText: "Leave > Annual", text: "Twenty days.", sourceCharacterRange: [0, 12], url: "/v1/documents/0#annual")
        let response = SearchResponse(
            results: [result], k: 5, mode: "hybrid", notice: "a notice", embeddingCached: false,
            timingsMs: .init(embed: 1, search: 2, total: 3), artifactDigest: "abc", reloadGeneration: 0)
        let json = try JSONSerialization.jsonObject(with: try JSONResponse.encode(response))
        try expectKeys(of: json, match: response, at: "response")
    }

    /// Walks `value` (Mirror) and `json` side by side.
    private func expectKeys(of json: Any, match value: Any, at path: String) throws {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional, let wrapped = mirror.children.first?.value {
            return try expectKeys(of: json, match: wrapped, at: path)
        }
        if mirror.displayStyle == .collection {
            let array = try #require(json as? [Any], "\(path) is not an array")
            for (index, (element, child)) in zip(array, mirror.children).enumerated() {
                try expectKeys(of: element, match: child.value, at: "\(path)[\(index)]")
            }
            return
        }
        guard mirror.displayStyle == .struct else { return }
        let object = try #require(json as? [String: Any], "\(path) is not an object")
        let expected = mirror.children.compactMap(\.label).map(Self.snakeCase)
        #expect(Set(object.keys) == Set(expected), "\(path)")
        for child in mirror.children {
            guard let label = child.label, let member = object[Self.snakeCase(label)] else { continue }
            try expectKeys(of: member, match: child.value, at: "\(path).\(label)")
        }
    }

    /// camelCase → snake_case, as JSONEncoder's conversion does for these names.
    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { out, character in
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
    }
}
