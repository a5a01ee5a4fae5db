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
