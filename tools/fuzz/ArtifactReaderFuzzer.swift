// libFuzzer harness for the artifact reader (docs/STYLE.md §8, "Fuzz the readers").
//
// Built by tools/fuzz/run with `swiftc -sanitize=fuzzer,address -parse-as-library` against the
// Checksums and IndexFormat sources, compiled as their own modules (a SwiftPM executable target
// renames `main`, which clashes with libFuzzer's). Uses only IndexFormat's public API.
//
// Every input is tried twice:
//  1. as given: what a damaged or hostile file looks like on disk;
//  2. with the header and section-table XXH64 checksums recomputed ("repaired"), so mutations of
//     header and table fields reach the code behind those checks instead of all stopping at
//     `headerChecksumMismatch` / `sectionTableChecksumMismatch`. libFuzzer cannot fix a hash by
//     itself, so without this the section table would be fuzzed only through its checksum.
//
// Errors are the expected outcome. A crash (trap, precondition, overflow), an AddressSanitizer
// report, a timeout or an allocation above -malloc_limit_mb is a finding.
import Checksums
import IndexFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func artifactReaderFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes: [UInt8] = size == 0 ? [] : unsafe Array(UnsafeBufferPointer(start: data, count: size))
    exercise(bytes)
    if let repaired = repairingChecksums(bytes), repaired != bytes {
        exercise(repaired)
    }
    return 0
}

/// Opens `bytes` and, when they open, calls every public reading entry point. Results are thrown
/// away: only crashes, sanitizer reports, hangs and huge allocations matter.
func exercise(_ bytes: [UInt8]) {
    guard let reader = try? ArtifactReader(bytes: bytes) else { return }

    _ = reader.header
    _ = reader.sections
    _ = try? reader.verifySectionChecksums()
    _ = try? reader.sectionChecksumProblems()
    _ = try? reader.verifyDigest()
    _ = reader.digest
    _ = try? reader.checkFileUnchanged()

    _ = try? reader.manifest()
    _ = try? reader.documents()

    let chunkCount = reader.chunkCount
    for index in 0..<min(chunkCount, 64) {
        if let record = try? reader.chunk(at: index) {
            _ = record.displayID
        }
        _ = try? reader.chunkText(at: index)
    }
    if chunkCount > 64 {  // the last records too, where a table cut short would show
        for index in max(64, chunkCount - 4)..<chunkCount {
            _ = try? reader.chunk(at: index)
            _ = try? reader.chunkText(at: index)
        }
    }
    _ = try? reader.chunk(at: -1)           // out of range: must be an error
    _ = try? reader.chunk(at: chunkCount)   // out of range: must be an error

    _ = reader.blockProblems()
    for entry in reader.sections {          // every section, known kinds and unknown ones
        _ = try? reader.sectionContents(entry.kind)
    }

    let vectors = reader.vectors
    // The query is the harness's own allocation: only build it for dimensions a writer can produce
    // (ArtifactWriter accepts 1...65536). Larger declared dimensions are a finding only if the
    // reader itself misbehaves with them, which the calls above would show.
    if vectors.dimension <= 65_536 {
        let query = (0..<vectors.dimension).map { Float($0 % 7) - 3 }
        let scores = vectors.dotProducts(with: query)
        precondition(scores.count == vectors.rowCount, "dotProducts returned \(scores.count) scores for \(vectors.rowCount) rows")
        if vectors.rowCount > 0 {
            _ = vectors.row(0)
            _ = vectors.float16Row(vectors.rowCount - 1)
        }
    }
}

/// `bytes` with the section-table checksum (header bytes 40..<48) and the header checksum (bytes
/// 56..<64) recomputed, when the input is long enough to hold a header and the table it declares.
/// Nil when there is nothing to repair.
func repairingChecksums(_ bytes: [UInt8]) -> [UInt8]? {
    let headerByteCount = 64
    guard bytes.count >= headerByteCount else { return nil }
    var repaired = bytes
    let sectionCount = Int(readUInt32(bytes, at: 32))
    let tableEnd = headerByteCount + sectionCount * 64
    if sectionCount <= 1024, tableEnd <= bytes.count {
        let tableChecksum = XXH64.hash(Array(bytes[headerByteCount..<tableEnd]))
        writeUInt64(&repaired, tableChecksum, at: 40)
    }
    writeUInt64(&repaired, XXH64.hash(Array(repaired[0..<56])), at: 56)
    return repaired
}

func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}

func writeUInt64(_ bytes: inout [UInt8], _ value: UInt64, at offset: Int) {
    for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
}
