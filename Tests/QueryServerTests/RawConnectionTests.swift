import Foundation
import Testing
@testable import QueryServer

/// Clients that misbehave at the socket level, against policyd running as a child process on
/// 127.0.0.1 (in its own process, so CPU-heavy tests elsewhere in this one cannot starve it).
@Suite struct RawConnectionTests {
    /// A running policyd with a short body deadline, so the slow-client test takes about two seconds.
    struct Server {
        let child: DaemonChild
        let port: Int

        static func start() async throws -> Server {
            let child = try DaemonChild(arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder,
                                                    "--host", "127.0.0.1", "--port", "0", "--body-timeout-seconds", "1.5"])
            let port = try #require(await child.waitForPort())
            return Server(child: child, port: port)
        }

        /// The status line of GET /health on a new connection.
        func health() async throws -> String {
            let connection = try RawConnection(port: port)
            connection.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return String(await connection.receiveAllOffPool().prefix(15))
        }
    }

    @Test func aBodyDeclaredOverTheLimitIs413WithoutBeingRead() async throws {
        do {
            let server = try await Server.start()
            let port = server.port
            let connection = try RawConnection(port: port)
            connection.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
            connection.send(String(repeating: "a", count: 4096))
            let reply = await connection.receiveOffPool(until: "}}")
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(200))")
            #expect(reply.contains("body_too_large"))
            #expect(try await server.health() == "HTTP/1.1 200 OK")
        }
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        do {
            let server = try await Server.start()
            let port = server.port
            let connection = try RawConnection(port: port)
            connection.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "a", count: 8192)
            for _ in 0..<3 { connection.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") }
            connection.send("0\r\n\r\n")
            let reply = await connection.receiveOffPool(until: "}}")
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(200))")
            #expect(try await server.health() == "HTTP/1.1 200 OK")
        }
    }

    @Test func aBodySentOneByteASecondTimesOutWith408() async throws {
        do {
            let server = try await Server.start()
            let port = server.port
            let body = #"{"query": "How many days of leave do I get?"}"#
            let connection = try RawConnection(port: port)
            connection.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            let started = ContinuousClock.now
            // Trickle the body from another task while this one waits for the answer.
            Thread {
                for byte in body.utf8.prefix(4) {
                    guard connection.send([byte]) else { return }
                    Thread.sleep(forTimeInterval: 1)
                }
            }.start()
            let reply = await connection.receiveOffPool(until: "}}")
            #expect(reply.hasPrefix("HTTP/1.1 408"), "\(reply.prefix(200))")
            #expect(reply.contains("request_timeout"))
            // The 1.5 s body deadline answered, not the 60 s idle timeout (a loose bound: CI is loaded).
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(try await server.health() == "HTTP/1.1 200 OK")
        }
    }

    @Test func aClientThatHangsUpMidRequestLeavesTheServerServing() async throws {
        do {
            let server = try await Server.start()
            let port = server.port
            for _ in 0..<5 {
                let headersOnly = try RawConnection(port: port)
                headersOnly.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"query\": \"le")
                headersOnly.reset()
                let halfHeaders = try RawConnection(port: port)
                halfHeaders.send("GET /v1/sta")
                halfHeaders.reset()
            }
            #expect(try await server.health() == "HTTP/1.1 200 OK")
        }
    }

    @Test func garbageInsteadOfHTTPIsRefusedAndTheServerKeepsServing() async throws {
        do {
            let server = try await Server.start()
            let port = server.port
            let connection = try RawConnection(port: port)
            connection.send("\u{0}\u{1}\u{2} NOT HTTP\r\n\r\n")
            let reply = await connection.receiveAllOffPool()
            #expect(reply.isEmpty || reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(200))")
            #expect(try await server.health() == "HTTP/1.1 200 OK")
        }
    }
}
