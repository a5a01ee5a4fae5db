import Foundation
import TestSupport
import Testing

/// `policyd` as a real child process: start-up failures, SIGHUP and SIGTERM.
@Suite struct DaemonProcessTests {
    static var executable: String { ProcessRunner.productsFolder.appendingPathComponent("policyd").path }

    /// Runs policyd on `artifact` and returns its exit status and standard error (it must exit).
    static func runToExit(artifact: String) throws -> (status: Int32, standardError: String) {
        let result = try ProcessRunner.run("policyd", ["--artifact", artifact, "--model", DaemonFixtures.modelFolder, "--port", "0"])
        return (result.status, result.standardError)
    }

    @Test func aMissingArtifactExits1SayingWhichFile() throws {
        let result = try Self.runToExit(artifact: "/nonexistent/policies.pidx")
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/policies.pidx"))
    }

    @Test func aTruncatedArtifactExits1() throws {
        let folder = try TemporaryDirectory("policyd-start")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath))
        try bytes.prefix(bytes.count - 1000).write(to: folder.url.appendingPathComponent("cut.pidx"))
        let result = try Self.runToExit(artifact: folder.path("cut.pidx"))
        #expect(result.status == 1)
        #expect(result.standardError.contains("cut short") || result.standardError.contains("truncated"), "\(result.standardError)")
    }

    @Test func aCorruptedArtifactExits1NamingTheSection() throws {
        let folder = try TemporaryDirectory("policyd-start")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: folder.url.appendingPathComponent("bad.pidx"))
        let result = try Self.runToExit(artifact: folder.path("bad.pidx"))
        #expect(result.status == 1)
        #expect(result.standardError.contains("checksum"), "\(result.standardError)")
    }

    @Test func sighupReloadsAndSigtermStopsCleanly() async throws {
        let (folder, path) = try ReloadTests.servedCopy()
        let daemon = try DaemonChild(arguments: ["--artifact", path, "--model", DaemonFixtures.modelFolder, "--port", "0",
                                                 "--host", "127.0.0.1", "--watch-seconds", "0"])
        let port = try #require(await daemon.waitForPort())

        try ReloadTests.replace(path, with: try ReloadTests.corruptedBytes())
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("refused the new artifact"))
        try ReloadTests.replace(path, with: [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath))))
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("generation=2"))
        let connection = try RawConnection(port: port)
        connection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let status = await connection.receiveAllOffPool()
        #expect(status.contains(#""generation":2"#), "\(status)")
        #expect(status.contains(#""answering":{"mode":"extractive"}"#), "no LLM_BASE_URL: \(status)")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        #expect(daemon.standardError.contains("stopped"))
        withExtendedLifetime(folder) {}
    }

    @Test func aChangedFileIsReloadedWithoutASignalAndABadOneIsNotRetried() async throws {
        let (folder, path) = try ReloadTests.servedCopy()
        let daemon = try DaemonChild(arguments: ["--artifact", path, "--model", DaemonFixtures.modelFolder, "--port", "0",
                                                 "--host", "127.0.0.1", "--watch-seconds", "0.1"])
        let port = try #require(await daemon.waitForPort())

        try ReloadTests.replace(path, with: try ReloadTests.corruptedBytes())
        #expect(await daemon.waitForLog("refused the new artifact"))
        try await Task.sleep(for: .milliseconds(600))   // six more polls of the same bad file
        #expect(daemon.standardError.components(separatedBy: "refused the new artifact").count == 2,
                "a bad file is tried once, not on every poll")

        try ReloadTests.replace(path, with: [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath))))
        #expect(await daemon.waitForLog("generation=2"))
        let connection = try RawConnection(port: port)
        connection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let status = await connection.receiveAllOffPool()
        #expect(status.contains(#""generation":2"#) && status.contains(#""failed_reloads":1"#), "\(status)")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        withExtendedLifetime(folder) {}
    }

    @Test func sigtermLetsARequestInFlightFinishAndAcceptsNoNewOnes() async throws {
        try DaemonFixtures.requireModel()
        let daemon = try DaemonChild(arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder,
                                                 "--port", "0", "--host", "127.0.0.1", "--watch-seconds", "0"])
        let port = try #require(await daemon.waitForPort())

        // A search whose body is half sent when SIGTERM arrives: the request is in flight.
        let body = #"{"query": "How many vacation days do new employees get?", "k": 2}"#
        let inFlight = try RawConnection(port: port)
        inFlight.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        inFlight.send(String(body.prefix(20)))
        try await Task.sleep(for: .milliseconds(300))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForLog("shutting down"), "\(daemon.standardError)")
        try await Task.sleep(for: .milliseconds(200))

        #expect((try? RawConnection(port: port)) == nil, "the listening socket is closed during shutdown")
        inFlight.send(String(body.dropFirst(20)))
        let response = await inFlight.receiveAllOffPool()
        #expect(response.hasPrefix("HTTP/1.1 200"), "\(response.prefix(300))")
        #expect(response.contains(#""chunk_id""#), "\(response.prefix(300))")
        #expect(await daemon.waitForExit() == 0)
        #expect(daemon.standardError.contains("stopped"))
    }

    @Test func aTakenPortExits2SayingSoWithoutCrashing() async throws {
        let first = try DaemonChild(arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder,
                                                "--port", "0", "--host", "127.0.0.1"])
        let port = try #require(await first.waitForPort())
        // The second one has the artifact (so it hashes the model in the background) but not the port.
        let result = try ProcessRunner.run("policyd", ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder,
                                                       "--port", String(port), "--host", "127.0.0.1"])
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("in use"), "\(result.standardError)")
        first.signal(SIGTERM)
        #expect(await first.waitForExit() == 0)
    }

    @Test func sigtermRightAfterReadyExitsCleanly() async throws {
        for _ in 0..<3 {   // while the model's files are still being hashed in the background
            let daemon = try DaemonChild(arguments: ["--artifact", DaemonFixtures.artifactPath, "--model", DaemonFixtures.modelFolder,
                                                     "--port", "0", "--host", "127.0.0.1"])
            _ = try #require(await daemon.waitForPort())
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit() == 0, "\(daemon.standardError)")
        }
    }
}
