import Foundation
import TestSupport
import Testing

/// policyd never links the compiler or the Markdown parser (docs/ARCHITECTURE.md), nor libcurl, which
/// it opens only for a language model (Sources/CCurl). tools/test runs the same check on the
/// release binary; this one guards the debug build `swift test` made.
@Suite struct LinkageTests {
    @Test func policydCarriesNeitherIndexCompilerNorCmarkNorLibcurl() throws {
        let binary = ProcessRunner.productsFolder.appendingPathComponent("policyd").path
        let (status, text) = try Self.runCheck(on: binary)
        #expect(status == 0, "\(text)")
    }

    @Test func theCheckCatchesABinaryThatDoesLinkThem() throws {
        let binary = ProcessRunner.productsFolder.appendingPathComponent("policyc").path   // links both
        let (status, _) = try Self.runCheck(on: binary)
        #expect(status == 1)
    }

    @Test func theCheckCatchesABinaryThatLinksLibcurl() throws {
        // A two-line C program linked with -lcurl by the Swift toolchain's clang (on PATH with swift).
        let folder = try TemporaryDirectory("linkage")
        let source = folder.path("main.c")
        try "void *curl_easy_init(void);\nint main(void) { return curl_easy_init() == 0; }\n".write(toFile: source, atomically: true, encoding: .utf8)
        let binary = folder.path("links-curl")
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["clang", source, "-o", binary, "-lcurl"]
        try compiler.run()
        compiler.waitUntilExit()
        try #require(compiler.terminationStatus == 0, "clang could not link a program with -lcurl")

        let (status, text) = try Self.runCheck(on: binary)
        #expect(status == 1)
        #expect(text.contains("links libcurl.so.4; it must open libcurl with dlopen"), "\(text)")
        withExtendedLifetime(folder) {}   // the folder holds the binary the check just read
    }

    private static func runCheck(on binary: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixtures.packageRoot + "/tools/check-policyd-linkage")
        process.arguments = [binary]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
