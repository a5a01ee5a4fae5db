import Foundation
import Testing
import IndexFormat
import TestSupport

/// After a verification pass, the mapping stops counting as resident, and reads still see the file.
@Suite struct ResidentPagesTests {
    /// Kilobytes of the mapping of `path` resident in this process (`Rss:` in /proc/self/smaps).
    static func residentKilobytes(mapping path: String) throws -> Int {
        // Read to the end: procfs reports a size of 0, and some readers stop at the reported size.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var total = 0
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {   // a mapping's header line
                inMapping = line.hasSuffix(path)
            } else if inMapping, line.hasPrefix("Rss:") {
                total += Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            }
        }
        return total
    }

    @Test func releasingAfterVerificationDropsTheResidentPagesAndKeepsTheBytes() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("large.pidx")
        let contents = SyntheticArtifact.contents(chunkCount: 20_000, dimension: 384, seed: 3)
        try ArtifactWriter.write(contents, to: path)
        let fileKilobytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int / 1024

        let reader = try ArtifactReader(path: path)
        try reader.verifySectionChecksums()
        let verified = try Self.residentKilobytes(mapping: path)
        #expect(verified > fileKilobytes * 9 / 10, "verification reads every page of the \(fileKilobytes) KiB at \(path)")

        reader.releaseResidentPages()
        let released = try Self.residentKilobytes(mapping: path)
        #expect(released < 64)

        try reader.verifySectionChecksums()   // the same bytes come back from the page cache
        #expect(reader.vectors.float16Row(19_999) == Array(contents.vectors[(19_999 * 384)..<(20_000 * 384)]))
        #expect(try reader.chunkText(at: 12_345) == contents.chunks[12_345].text)
    }
}
