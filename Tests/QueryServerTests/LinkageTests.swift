import Foundation
import TestSupport
import Testing

/// policyd never links the compiler or the Markdown parser (docs/ARCHITECTURE.md). tools/test
/// runs the same check on the release binary; this one guards the debug build `swift test` made.
@Suite struct LinkageTests {
    @Test func policydCarriesNeitherIndexCompilerNorCmark() throws {
        let script = DaemonFixtures.packageRoot + "/tools/check-policyd-linkage"
        let binary = ProcessRunner.productsFolder.appendingPathComponent("policyd").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [binary]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    @Test func theCheckCatchesABinaryThatDoesLinkThem() throws {
        let script = DaemonFixtures.packageRoot + "/tools/check-policyd-linkage"
        let binary = ProcessRunner.productsFolder.appendingPathComponent("policyc").path   // links both
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [binary]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
    }
}
