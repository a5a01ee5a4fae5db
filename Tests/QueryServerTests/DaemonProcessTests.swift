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
        let daemon = try DaemonChild(arguments: ["--artifact", path, "--model", DaemonFixtures.modelFolder, "--port", "0", "--host", "127.0.0.1"])
        let port = try #require(await daemon.waitForPort())

        try ReloadTests.replace(path, with: try ReloadTests.corruptedBytes())
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("refused the new artifact"))
        try ReloadTests.replace(path, with: [UInt8](try Data(contentsOf: URL(fileURLWithPath: DaemonFixtures.artifactPath))))
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("generation=2"))
        let connection = try RawConnection(port: port)
        connection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(await connection.receiveAllOffPool().contains(#""generation":2"#))

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        #expect(daemon.standardError.contains("stopped"))
        withExtendedLifetime(folder) {}
    }
}
