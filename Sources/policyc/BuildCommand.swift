import ArgumentParser
import Embeddings
import Foundation
import IndexCompiler

/// `policyc build`: sources in, artifact out.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile a folder of policy documents into one index artifact.",
        discussion: """
            Reads every .md, .markdown, .txt, .html and .htm file under the folder (hidden files and \
            a top-level README.md are skipped), chunks each along its headings, embeds every chunk \
            (reusing the embedding cache for text it has seen with this model), and writes the \
            artifact atomically. Compiling the same sources twice gives the same bytes.

            Progress goes to standard error: a bar on a terminal, a line every few seconds otherwise.

            Exit codes:
              0   the artifact was written
              1   a source, the model, the cache or the output could not be used
                  (the message says which)
              64  invalid command-line usage
            """)

    @Argument(help: ArgumentHelp("The folder of policy documents.", valueName: "policies"))
    var corpus: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the artifact.", valueName: "file"))
    var output: String = "artifacts/policies.pidx"

    @Option(help: ArgumentHelp("The sentence-transformers model folder (tools/fetch-model puts it here).", valueName: "dir"))
    var model: String = "models/all-MiniLM-L6-v2"

    @Option(help: ArgumentHelp("The embedding cache (SQLite).", valueName: "file"))
    var cache: String = ".cache/embeddings.sqlite"

    @Flag(help: "Embed everything, neither reading nor writing the cache.")
    var noCache = false

    @Option(help: ArgumentHelp(
        "Layer weights and products for the chunks: float32 (as stored; vectors match sentence-transformers within 1e-4) or bfloat16 (AVX512_BF16, about 1.7x faster; float16 on CPUs without it). Recorded in the manifest; docs/decisions/0004-bfloat16-chunk-embeddings.md.",
        valueName: "precision"))
    var precision: WeightPrecision = .float32

    @Option(help: "Embedding workers (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Option(name: .customLong("chunk-target"), help: ArgumentHelp("Tokens a chunk aims for, heading path included (recorded in the manifest).", valueName: "tokens"))
    var chunkTarget = ChunkingSettings().targetTokenCount

    @Option(name: .customLong("chunk-overlap"), help: ArgumentHelp("Tokens a continuation repeats from the chunk before it (recorded in the manifest).", valueName: "tokens"))
    var chunkOverlap = ChunkingSettings().overlapTokenCount

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        let maximum = ChunkingSettings().maximumTokenCount
        guard (32...maximum).contains(chunkTarget) else { throw ValidationError("--chunk-target must be 32...\(maximum) tokens, not \(chunkTarget)") }
        guard chunkOverlap >= 0, chunkOverlap < chunkTarget / 2 else {
            throw ValidationError("--chunk-overlap must be 0 or more and below half of --chunk-target (\(chunkTarget / 2)), not \(chunkOverlap)")
        }
    }

    func run() throws {
        let embedder = try CompileFailure.wrap { () throws(CompileError) in try ModelEmbedder(folder: model, precision: precision) }
        var chunking = ChunkingSettings()
        chunking.targetTokenCount = chunkTarget
        chunking.overlapTokenCount = chunkOverlap
        let options = BuildOptions(corpusFolder: corpus, cachePath: noCache ? nil : cache, jobCount: jobs, chunking: chunking)
        let summary = try CompileFailure.wrap { () throws(CompileError) in
            try IndexBuild.build(options, embedder: embedder, outputPath: output, progress: .forStandardError(quiet: quiet))
        }
        for warning in summary.warnings { FileHandle.standardError.write(Data("policyc: warning: \(warning)\n".utf8)) }
        if !quiet {
            print("policyc: wrote \(output): \(summary.documentCount) documents, \(summary.chunkCount) chunks, "
                + "\(summary.tokenCount) tokens, \(summary.artifactByteCount) bytes in \(String(format: "%.1f", summary.seconds)) s "
                + "(\(summary.embeddedCount) embedded, \(summary.cachedCount) from the cache)")
        }
    }
}

/// A CompileError as the command line shows it: "policyc: <message>", exit code 1.
struct CompileFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { "policyc: " + message }

    static func wrap<Value>(_ body: () throws(CompileError) -> Value) throws(CompileFailure) -> Value {
        do { return try body() } catch { throw CompileFailure(message: error.description) }
    }
}
