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
//
// With FUZZ_SKIP_KNOWN=all in the environment (`tools/fuzz/run --skip-known`), inputs that would hit
// a finding already kept in tools/fuzz/crashes/ and not yet fixed are skipped, so a long run can
// look for new ones (FUZZ_SKIP_KNOWN=NAME,NAME skips only those). Remove a rule from
// `knownFinding` (or `chunkTextAllocationLimit`) when its bug is fixed.
#if canImport(Glibc)
import Glibc
#endif
import Checksums
import IndexFormat

let skippedFindings: [String] = unsafe getenv("FUZZ_SKIP_KNOWN").map { unsafe String(cString: $0) }?
    .split(separator: ",").map(String.init) ?? []

@_cdecl("LLVMFuzzerTestOneInput")
public func artifactReaderFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes: [UInt8] = size == 0 ? [] : unsafe Array(UnsafeBufferPointer(start: data, count: size))
    tryInput(bytes)
    if let repaired = repairingChecksums(bytes), repaired != bytes {
        tryInput(repaired)
    }
    return 0
}

func tryInput(_ bytes: [UInt8]) {
    if let finding = knownFinding(bytes), skips(finding) { return }
    exercise(bytes)
}

func skips(_ finding: String) -> Bool {
    skippedFindings.contains("all") || skippedFindings.contains(finding)
}

/// crashes/chunk-text-4gib-allocation: `chunkText(at:)` reserves the record's declared text size
/// (up to 4 GiB) before decoding a block. Texts above this are skipped under FUZZ_SKIP_KNOWN.
let chunkTextAllocationLimit = 256 << 20

/// Opens `bytes` and, when they open, calls every public reading entry point. Results are thrown
/// away (error descriptions are built, since they format values from the file): only crashes,
/// sanitizer reports, hangs and huge allocations matter.
func exercise(_ bytes: [UInt8]) {
    let reader: ArtifactReader
    do {
        reader = try ArtifactReader(bytes: bytes)
    } catch {
        _ = error.description
        return
    }

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
    // The first 64 chunks, and the last few, where a table cut short would show.
    let indices = Array(0..<min(chunkCount, 64)) + (chunkCount > 64 ? Array(max(64, chunkCount - 4)..<chunkCount) : [])
    for index in indices {
        if let record = try? reader.chunk(at: index) {
            _ = record.displayID
            if skips("chunk-text-allocation"), record.textByteCount > chunkTextAllocationLimit { continue }
        }
        _ = try? reader.chunkText(at: index)
    }
    // Every chunk's text (the verifier calls this too), unless a known over-allocation is skipped.
    let hasHugeText = skips("chunk-text-allocation")
        && (0..<chunkCount).contains { ((try? reader.chunk(at: $0))?.textByteCount ?? 0) > chunkTextAllocationLimit }
    if !hasHugeText {
        for problem in reader.chunkTextProblems() { _ = problem.description }
    }
    _ = try? reader.chunk(at: -1)           // out of range: must be an error
    _ = try? reader.chunk(at: chunkCount)   // out of range: must be an error

    for problem in reader.blockProblems() { _ = problem.description }
    for entry in reader.sections {          // every section, known kinds and unknown ones
        _ = try? reader.sectionContents(entry.kind)
    }

    // The lexicon (format 1.1): open, look terms up, read postings, verify everything.
    if let lexicon = try? reader.lexicon() {
        for problem in lexicon.problems() { _ = problem.description }
        for term in ["per", "diem", "401k", "", "zzzz"] {
            if let index = try? lexicon.index(of: term) { _ = try? lexicon.postings(ofTermAt: index) }
        }
        _ = try? lexicon.chunkLength(0)
        _ = try? lexicon.chunkLength(-1)
        _ = try? lexicon.term(at: lexicon.termCount)
    }

    // The verifier walks every chunk record and every vector row (bounded by the file's size). It
    // takes a path, so the input goes through a file: this also covers ArtifactReader(path:), the
    // mmap path. Only inputs that opened from memory get here, so the cost is rare.
    if !hasHugeText, writeScratchFile(bytes) {
        let report = ArtifactVerifier.verify(path: scratchPath)
        for problem in report.problems { _ = problem.description }
        unsafe unlink(scratchPath)
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

/// A per-process file in shared memory (or the temporary folder) for the path-based entry points.
let scratchPath: String = {
    let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return "\(folder)/artifact-reader-fuzzer-\(getpid()).pidx"
}()

func writeScratchFile(_ bytes: [UInt8]) -> Bool {
    let descriptor = unsafe open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    return unsafe bytes.withUnsafeBytes { buffer in
        unsafe buffer.isEmpty || write(descriptor, buffer.baseAddress, buffer.count) == buffer.count
    }
}

/// The name (tools/fuzz/crashes/NAME*) of a finding that `bytes` would hit, for findings reported but not
/// yet fixed; nil otherwise. Reads the section table loosely (no checksums): a false positive only
/// skips an input.
func knownFinding(_ bytes: [UInt8]) -> String? {
    guard bytes.count >= 64 else { return nil }
    let sectionCount = min(Int(readUInt32(bytes, at: 32)), 1024)
    for index in 0..<sectionCount {
        let entry = 64 + index * 64
        guard entry + 16 <= bytes.count else { break }
        let kind = readUInt32(bytes, at: entry)
        let offset = readUInt64(bytes, at: entry + 8)
        guard offset <= UInt64(bytes.count - 8) else { continue }
        let first = Int(readUInt32(bytes, at: Int(offset)))
        let second = Int(readUInt32(bytes, at: Int(offset) + 4))
        let (product, overflow) = first.multipliedReportingOverflow(by: second)
        // ArtifactReader.init: `rowCount * dimension * 2` for the vectors section.
        if kind == 2, overflow || product.multipliedReportingOverflow(by: 2).overflow {
            return "vectors-size-overflow"
        }
        // ArtifactReader.init: `16 + chunkCount * chunkRecordByteCount` for the chunk table.
        if kind == 3, overflow || product.addingReportingOverflow(16).overflow {
            return "chunk-table-size-overflow"
        }
    }
    return nil
}

func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
}

func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}

func writeUInt64(_ bytes: inout [UInt8], _ value: UInt64, at offset: Int) {
    for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
}
