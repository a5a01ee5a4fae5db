import Foundation
import IndexFormat
import Testing
import TestSupport

/// `policyc build --chunk-target/--chunk-overlap` (the chunking study in tools/bench/retrieval):
/// the real command, on a small real corpus. Needs the model (tools/fetch-model) and policyc built.
@Suite struct BuildChunkingOptionTests {
    @Test func chunkSettingsReachTheManifest() throws {
        let folder = try TemporaryDirectory()
        let corpus = try CompilerPipelineTests.writeCorpus(in: folder)
        let output = folder.path("small.pidx")
        let result = try ProcessRunner.run("policyc", ["build", corpus, "-o", output, "--cache", folder.path("cache.sqlite"), "--quiet",
                                                       "--model", packageRoot().appendingPathComponent("models/all-MiniLM-L6-v2").path,
                                                       "--chunk-target", "96", "--chunk-overlap", "8"])
        #expect(result.status == 0, "\(result.standardError)")
        let chunking = try ArtifactReader(path: output).manifest().chunking
        #expect(chunking.targetTokenCount == 96 && chunking.overlapTokenCount == 8)

        // policy-verify rebuilds with the recorded settings: current until a source changes.
        let verify = ["--against", corpus, "--cache", folder.path("cache.sqlite"),
                      "--model", packageRoot().appendingPathComponent("models/all-MiniLM-L6-v2").path]
        let current = try ProcessRunner.run("policy-verify", [output] + verify)
        #expect(current.status == 0, "\(current.standardOutput)\(current.standardError)")
        #expect(!current.standardOutput.contains("chunking settings changed"), "\(current.standardOutput)")
        let source = try #require(FileManager.default.enumerator(atPath: corpus)?.allObjects.compactMap { $0 as? String }
            .first { $0.hasSuffix(".md") })
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: corpus + "/" + source))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n\nA sentence added after the build.\n".utf8))
        try handle.close()
        let stale = try ProcessRunner.run("policy-verify", [output] + verify)
        #expect(stale.status == 1, "\(stale.standardOutput)\(stale.standardError)")
        #expect(stale.standardOutput.contains(source), "\(stale.standardOutput)")
    }

    @Test(arguments: [(["--chunk-overlap", "100"], "--chunk-overlap must be 0 or more and below half of --chunk-target (100)"),
                      (["--chunk-target", "500"], "--chunk-target must be 32...254 tokens, not 500"),
                      (["--chunk-target", "64", "--chunk-overlap=-1"], "--chunk-overlap must be 0 or more")])
    func settingsTheChunkerCannotUseAreRefusedWithUsageExitCode(arguments: [String], message: String) throws {
        let folder = try TemporaryDirectory()
        let result = try ProcessRunner.run("policyc", ["build", folder.path("none"), "-o", folder.path("x.pidx")] + arguments)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("x.pidx")))
    }
}
