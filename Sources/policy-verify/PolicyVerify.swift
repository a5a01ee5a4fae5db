import ArgumentParser
import Embeddings
import Foundation
import IndexCompiler
import IndexFormat

@main
struct PolicyVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy-verify",
        abstract: "Check that a policy index artifact is intact and internally consistent.",
        discussion: """
            Checks the header, the section table, every section's checksum, the trailer's SHA-256 \
            of the whole file, that every LZ4 block decodes to its declared size, that the manifest \
            and documents sections parse, that every chunk's text is valid UTF-8, that every vector is finite and of unit length (within \
            \(ArtifactVerifier.unitLengthTolerance)), and that every chunk record points inside the \
            artifact. Every problem found is listed, not just the first.

            With --against, also rebuilds the sources in memory (reusing the embedding cache) and \
            reports whether the artifact is current: which documents changed, were added or were \
            removed, and whether the model, chunking or compiler differ. The rebuild uses the \
            chunking settings and the embedding precision the artifact records (policyc build \
            --chunk-target, --chunk-overlap, --precision).

            Exit codes:
              0  the artifact is valid
              1  the artifact is invalid (each problem is listed), or stale with --against
              2  usage error, or the file, the sources or the model could not be read at all
            """)

    @Argument(help: "The artifact to check (a .pidx file written by policyc).")
    var file: String

    @Flag(help: "Print one JSON object instead of the human report (for CI).")
    var json = false

    @Option(help: ArgumentHelp("Also check the artifact is current with this folder of policies.", valueName: "policies"))
    var against: String?

    @Option(help: ArgumentHelp("The model folder --against embeds with.", valueName: "dir"))
    var model: String = "models/all-MiniLM-L6-v2"

    @Option(help: ArgumentHelp("The embedding cache --against reads and fills.", valueName: "file"))
    var cache: String = ".cache/embeddings.sqlite"

    func run() throws {
        let report = ArtifactVerifier.verify(path: file)
        if !json, report.problems.count == 1, report.problems[0].isFileAccessProblem {
            FileHandle.standardError.write(Data("policy-verify: error: \(report.problems[0])\n".utf8))
            throw ExitCode(2)
        }
        var freshness: FreshnessReport? = nil
        if let against, report.isValid {
            freshness = try checkFreshness(against: against)
        }
        if json {
            print(try VerificationJSON.render(report, freshness: freshness))
        } else {
            print(VerificationText.render(report), terminator: "")
            if let freshness, let against { print(VerificationText.render(freshness, sources: against, artifact: file), terminator: "") }
        }
        if report.problems.count == 1, report.problems[0].isFileAccessProblem { throw ExitCode(2) }
        if !report.isValid || freshness?.isCurrent == false { throw ExitCode(1) }
    }

    /// Rebuilds `folder` in memory and compares; a source or model that cannot be read exits 2.
    private func checkFreshness(against folder: String) throws -> FreshnessReport {
        do throws(CompileError) {
            // Chunked and embedded with the settings and precision the artifact records, so only a
            // change of sources or model shows (or a host that cannot run that precision).
            let reader: ArtifactReader
            let stored: Manifest
            do {
                reader = try ArtifactReader(path: file)
                stored = try reader.manifest()
            } catch {
                throw CompileError.artifact(error)
            }
            let embedder = try ModelEmbedder(folder: model, precision: stored.model.precision.flatMap(WeightPrecision.init(rawValue:)) ?? .float32)
            var options = BuildOptions(corpusFolder: folder, cachePath: cache, jobCount: ProcessInfo.processInfo.activeProcessorCount,
                                       prunesCache: false)
            options.chunking.targetTokenCount = stored.chunking.targetTokenCount
            options.chunking.overlapTokenCount = stored.chunking.overlapTokenCount
            let (contents, _) = try IndexBuild.contents(options, embedder: embedder, progress: .forStandardError(quiet: json))
            do {
                return try ArtifactFreshness.compare(reader, with: contents)
            } catch {
                throw CompileError.artifact(error)
            }
        } catch {
            FileHandle.standardError.write(Data("policy-verify: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Argument-parser's own failures exit 64; this tool promises 2 for every usage error.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }   // --help and --version
            let text = "error: \(message(for: error))\nusage: \(usageString())\nsee 'policy-verify --help' for more\n"
            FileHandle.standardError.write(Data(text.utf8))
            Foundation.exit(2)
        }
    }
}
