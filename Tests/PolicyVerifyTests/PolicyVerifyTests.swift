import Foundation
import Testing
import IndexFormat
import TestSupport

/// `policy-verify` run as a real process on real files.
@Suite struct PolicyVerifyTests {
    /// A valid artifact on disk, and the folder that keeps it alive.
    static func writeArtifact(chunkCount: Int = 12, seed: UInt64 = 7, change: (inout [UInt8]) -> Void = { _ in }) throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory()
        let path = folder.path("index.pidx")
        var bytes = try ArtifactWriter.encode(SyntheticArtifact.contents(chunkCount: chunkCount, dimension: 16, documentCount: 3, seed: seed))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (folder, path)
    }

    @Test func validArtifactExitsZeroWithAReport() throws {
        let (folder, path) = try Self.writeArtifact()
        let result = try ProcessRunner.run("policy-verify", [path])
        #expect(result.status == 0, "\(result.standardError)")
        expectSnapshot(result.standardOutput.replacingOccurrences(of: folder.url.path, with: "<tmp>"), named: "valid-report")
        _ = folder
    }

    @Test func validArtifactAsJSON() throws {
        let (folder, path) = try Self.writeArtifact()
        let result = try ProcessRunner.run("policy-verify", [path, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == true)
        #expect(object?["chunk_count"] as? Int == 12)
        #expect((object?["sections"] as? [Any])?.count == 5)
        #expect((object?["problems"] as? [Any])?.isEmpty == true)
        _ = folder
    }

    @Test func damagedArtifactExitsOneListingEveryProblem() throws {
        // Two independent problems: a flipped byte in the documents section and one in the vectors.
        let (folder, path) = try Self.writeArtifact { bytes in
            let artifact = try! ArtifactReader(bytes: bytes)
            for kind in [SectionKind.documents, .vectors] {
                let entry = artifact.sections.first { $0.kind == kind }!
                bytes[entry.byteOffset + entry.storedByteCount - 2] ^= 0x40
            }
        }
        let result = try ProcessRunner.run("policy-verify", [path, "--json"])
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let codes = (object?["problems"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.filter { $0 == "section_checksum_mismatch" }.count == 2)
        #expect(codes.contains("digest_mismatch"))
        #expect(object?["valid"] as? Bool == false)

        let human = try ProcessRunner.run("policy-verify", [path])
        #expect(human.status == 1)
        expectSnapshot(human.standardOutput.replacingOccurrences(of: folder.url.path, with: "<tmp>"), named: "damaged-report")
    }

    @Test func vectorsThatAreNotUnitLengthAreReported() throws {
        let (folder, path) = try Self.writeArtifact { bytes in
            let artifact = try! ArtifactReader(bytes: bytes)
            let entry = artifact.sections.first { $0.kind == .vectors }!
            // Row 0, column 0 becomes 60.0 (0x5380), far from unit length. Checksums then disagree too.
            bytes[entry.byteOffset + 64] = 0x80
            bytes[entry.byteOffset + 65] = 0x53
        }
        let result = try ProcessRunner.run("policy-verify", [path])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("vector row 0 has norm"))
        _ = folder
    }

    @Test func truncatedArtifactSaysWhere() throws {
        let (folder, path) = try Self.writeArtifact { bytes in bytes.removeLast(100) }
        let result = try ProcessRunner.run("policy-verify", [path])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("file truncated at byte"))
        _ = folder
    }

    @Test func unreadableInputExitsTwo() throws {
        let folder = try TemporaryDirectory()
        let missing = try ProcessRunner.run("policy-verify", [folder.path("absent.pidx")])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("No such file or directory"))
        let directory = try ProcessRunner.run("policy-verify", [folder.url.path])
        #expect(directory.status == 2)
        #expect(directory.standardError.contains("is not a regular file"))
    }

    @Test func usageErrorsExitTwo() throws {
        let none = try ProcessRunner.run("policy-verify", [])
        #expect(none.status == 2)
        #expect(none.standardError.contains("Missing expected argument"))
        let unknown = try ProcessRunner.run("policy-verify", ["--frobnicate", "x"])
        #expect(unknown.status == 2)
    }

    @Test func helpListsTheExitCodes() throws {
        let help = try ProcessRunner.run("policy-verify", ["--help"])
        #expect(help.status == 0)
        expectSnapshot(help.standardOutput, named: "help")
    }
}
