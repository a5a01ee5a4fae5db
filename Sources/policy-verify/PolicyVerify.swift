import ArgumentParser
import Foundation
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

            Exit codes:
              0  the artifact is valid
              1  the artifact is invalid (each problem is listed)
              2  usage error, or the file could not be read at all
            """)

    @Argument(help: "The artifact to check (a .pidx file written by policyc).")
    var file: String

    @Flag(help: "Print one JSON object instead of the human report (for CI).")
    var json = false

    func run() throws {
        let report = ArtifactVerifier.verify(path: file)
        if !json, report.problems.count == 1, report.problems[0].isFileAccessProblem {
            FileHandle.standardError.write(Data("policy-verify: error: \(report.problems[0])\n".utf8))
            throw ExitCode(2)
        }
        if json {
            print(try VerificationJSON.render(report))
        } else {
            print(VerificationText.render(report), terminator: "")
        }
        if report.problems.count == 1, report.problems[0].isFileAccessProblem { throw ExitCode(2) }
        if !report.isValid { throw ExitCode(1) }
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
