import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QueryServer

/// One malformed request and the answer it must get.
struct BadRequestCase: Sendable, CustomTestStringConvertible {
    var name: String
    var method: HTTPRequest.Method = .post
    var uri = "/v1/search"
    var body: [UInt8]?
    var status: HTTPResponse.Status
    var code: String
    /// The server closes the connection after answering (it did not read the body).
    var closesConnection: Bool { status == .contentTooLarge }

    var testDescription: String { name }

    static func search(_ name: String, _ json: String, _ status: HTTPResponse.Status = .badRequest, _ code: String) -> BadRequestCase {
        BadRequestCase(name: name, body: Array(json.utf8), status: status, code: code)
    }

    static let all: [BadRequestCase] = [
        .search("malformed JSON", #"{"query": "leave"#, .badRequest, "invalid_json"),
        .search("not an object", #"["leave"]"#, .badRequest, "invalid_json"),
        .search("query of the wrong type", #"{"query": 42}"#, .badRequest, "invalid_request"),
        .search("k of the wrong type", #"{"query": "leave", "k": "five"}"#, .badRequest, "invalid_request"),
        .search("documents of the wrong type", #"{"query": "leave", "documents": "hr"}"#, .badRequest, "invalid_request"),
        .search("missing query", #"{"k": 3}"#, .badRequest, "invalid_request"),
        .search("null query", #"{"query": null}"#, .badRequest, "invalid_request"),
        .search("empty query", #"{"query": ""}"#, .badRequest, "empty_query"),
        .search("whitespace query", #"{"query": " \n\t "}"#, .badRequest, "empty_query"),
        .search("query over the character limit", #"{"query": "\#(String(repeating: "a", count: 2_001))"}"#, .badRequest, "query_too_long"),
        .search("query of 100,000 characters", #"{"query": "\#(String(repeating: "a", count: 100_000))"}"#, .contentTooLarge, "body_too_large"),
        .search("k of 0", #"{"query": "leave", "k": 0}"#, .badRequest, "invalid_k"),
        .search("k of -1", #"{"query": "leave", "k": -1}"#, .badRequest, "invalid_k"),
        .search("k of 51", #"{"query": "leave", "k": 51}"#, .badRequest, "invalid_k"),
        .search("k of 10^9", #"{"query": "leave", "k": 1000000000}"#, .badRequest, "invalid_k"),
        .search("k of 10^30", #"{"query": "leave", "k": 1e30}"#, .badRequest, "invalid_request"),
        .search("unknown document filter", #"{"query": "leave", "documents": ["no/such.md"]}"#, .badRequest, "unknown_documents"),
        .search("empty document filter", #"{"query": "leave", "documents": []}"#, .badRequest, "invalid_request"),
        BadRequestCase(name: "invalid UTF-8", body: Array(#"{"query": "caf"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
                       status: .badRequest, code: "invalid_json"),
        BadRequestCase(name: "empty body", body: [], status: .badRequest, code: "invalid_json"),
        BadRequestCase(name: "unknown route", method: .get, uri: "/v2/nothing", status: .notFound, code: "not_found"),
        BadRequestCase(name: "unknown document", method: .get, uri: "/v1/documents/no%2Fsuch.md", status: .notFound, code: "document_not_found"),
        BadRequestCase(name: "document index out of range", method: .get, uri: "/v1/documents/36", status: .notFound, code: "document_not_found"),
        BadRequestCase(name: "GET on the search route", method: .get, status: .methodNotAllowed, code: "method_not_allowed"),
        BadRequestCase(name: "DELETE on health", method: .delete, uri: "/health", status: .methodNotAllowed, code: "method_not_allowed"),
        BadRequestCase(name: "POST on status", method: .post, uri: "/v1/status", body: [], status: .methodNotAllowed, code: "method_not_allowed"),
    ]
}

/// The issue's bad-input list, in-process (`.router`) and over a real socket (`.live`), each
/// followed by a good request to show the server keeps serving. None of these need the model.
@Suite struct BadInputTests {
    enum Mode: String, CaseIterable, Sendable { case router, live }

    @Test(arguments: Mode.allCases)
    func everyBadRequestGetsItsStatusAndCode(_ mode: Mode) async throws {
        let daemon = try DaemonFixtures.daemon()
        let app = daemon.makeApplication()
        try await app.test(mode == .router ? .router : .live) { client in
            // Over one kept-alive connection, cases that close it are left to RawConnectionTests.
            for bad in BadRequestCase.all where mode == .router || !bad.closesConnection {
                let response = try await client.execute(uri: bad.uri, method: bad.method, body: bad.body.map { ByteBuffer(bytes: $0) })
                #expect(response.status == bad.status, "\(bad.name)")
                #expect(DaemonFixtures.errorCode(response) == bad.code, "\(bad.name): \(String(buffer: response.body).prefix(200))")
                let health = try await client.execute(uri: "/health", method: .get)
                #expect(health.status == .ok, "after \(bad.name)")
            }
        }
    }

    @Test func errorMessagesNeverEchoTheQuestion() async throws {
        let daemon = try DaemonFixtures.daemon()
        let secret = "my-salary-is-" + String(repeating: "x", count: 2_100)
        try await daemon.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/search", method: .post, body: DaemonFixtures.body(#"{"query": "\#(secret)"}"#))
            #expect(response.status == .badRequest)
            #expect(!String(buffer: response.body).contains("my-salary"))
        }
    }

    @Test func methodNotAllowedSaysWhichMethodsAre() async throws {
        let daemon = try DaemonFixtures.daemon()
        try await daemon.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/search", method: .put)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
        }
    }
}
