import Foundation
import Testing
import IndexFormat

/// Every input the fuzzer (tools/fuzz) or a reviewer found that crashed or over-allocated, kept
/// as a regression case with the specific error it must now produce.
@Suite struct FuzzFindingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz-findings")

    /// Opens a finding as the harness fed it: with the header and table checksums recomputed, so
    /// that the reader gets past them (tools/fuzz/ArtifactReaderFuzzer.swift does the same).
    static func open(_ name: String) throws -> ArtifactReader {
        var artifact = ArtifactBytes(bytes: try Array(Data(contentsOf: folder.appendingPathComponent(name))))
        artifact.resealHeaderAndTable()
        return try artifact.open()
    }

    @Test(arguments: ["vectors-size-overflow.pidx", "vectors-size-overflow-found-by-fuzzer.pidx"])
    func hugeVectorDimensionsAreRefusedWithoutOverflow(name: String) {
        do {
            _ = try Self.open(name)
            Issue.record("opened \(name)")
        } catch {
                guard case ArtifactError.malformedSection(.vectors, _, _) = error else { Issue.record("\(name): \(error)"); return }
        }
    }

    @Test(arguments: ["chunk-table-size-overflow.pidx", "chunk-table-size-overflow-found-by-fuzzer.pidx"])
    func hugeChunkRecordSizesAreRefusedWithoutOverflow(name: String) {
        do {
            _ = try Self.open(name)
            Issue.record("opened \(name)")
        } catch {
            guard case ArtifactError.malformedSection(.chunkTable, _, _) = error else { Issue.record("\(name): \(error)"); return }
        }
    }

    @Test func aChunkClaimingGigabytesOfTextIsRefusedBeforeAllocating() throws {
        let reader = try Self.open("chunk-text-4gib-allocation.pidx")
        #expect(throws: ArtifactError.declaredSizeTooLarge(section: .chunkText, declared: 0xFFFF_FFFF, limit: FormatLayout.maximumChunkTextByteCount)) {
            try reader.chunkText(at: 0)
        }
        // The other chunks point into empty blocks, which cannot decode.
        let problems = reader.chunkTextProblems()
        #expect(problems.count == reader.chunkCount)
    }
}
