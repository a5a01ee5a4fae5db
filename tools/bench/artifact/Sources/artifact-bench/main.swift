// Benchmark of the artifact format: write, size, open, section checksums, SHA-256, Float16 scan.
//
// Every figure is printed with a baseline measured in the same run, on the same machine and the
// same bytes (docs/STYLE.md §9): plain write+fsync for writing, memcpy for encoding, a bare
// open+fstat+mmap+munmap+close for opening, `sha256sum` for the digest, and a plain in-process sum
// over the same mapped bytes (memory bandwidth) for the checksums and the scan.
//
//   artifact-bench [--chunks N] [--dimension D] [--small-chunks N] [--open-repeats N]
//                  [--repeats N] [--folder PATH] [--keep]
//
// Prints a Markdown report on standard output; progress goes to standard error.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import IndexFormat

// MARK: Settings

struct Settings {
    var chunkCount = 1_000_000
    var dimension = 384
    var smallChunkCount = 1_000
    var openRepeats = 2_000
    var repeats = 5
    var folder = "tools/bench/artifact/.build/bench-data"
    var keep = false

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            func value() -> String {
                guard let next = iterator.next() else { fail("\(argument) needs a value") }
                return next
            }
            switch argument {
            case "--chunks": chunkCount = Int(value()) ?? chunkCount
            case "--dimension": dimension = Int(value()) ?? dimension
            case "--small-chunks": smallChunkCount = Int(value()) ?? smallChunkCount
            case "--open-repeats": openRepeats = Int(value()) ?? openRepeats
            case "--repeats": repeats = max(1, Int(value()) ?? repeats)
            case "--folder": folder = value()
            case "--keep": keep = true
            default: fail("unknown argument \(argument)")
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("artifact-bench: \(message)\n".utf8))
    exit(2)
}

func progress(_ message: String) {
    FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}

// MARK: Measuring

/// Wall time of `body`, in seconds.
func seconds<T>(_ body: () throws -> T) rethrows -> (Double, T) {
    let start = ContinuousClock.now
    let result = try body()
    let elapsed = ContinuousClock.now - start
    let (whole, attoseconds) = elapsed.components
    return (Double(whole) + Double(attoseconds) * 1e-18, result)
}

/// CPU time of this thread (user + system), in seconds: unlike wall time, not inflated when
/// other processes take the core (this machine is shared), though still slowed by them sharing caches.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Wall and CPU seconds of `repeats` runs of `body`, and the last result.
struct Timing {
    var wall: [Double] = []
    var cpu: [Double] = []
    var wallMedian: Double { median(wall) }
    var cpuMedian: Double { median(cpu) }
}

func measure<T>(_ repeats: Int, _ body: () throws -> T) rethrows -> (Timing, T) {
    var timing = Timing()
    var result: T? = nil
    for _ in 0..<repeats {
        let cpuStart = threadCPUSeconds()
        let (wall, value) = try seconds(body)
        timing.cpu.append(threadCPUSeconds() - cpuStart)
        timing.wall.append(wall)
        result = value
    }
    return (timing, result!)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// A value from /proc/self/status in kB (VmHWM, VmRSS).
func procStatus(_ key: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// Resets VmHWM to the current RSS (Linux: "5" into clear_refs), so each phase's peak is its own.
func resetPeakRSS() {
    let descriptor = open("/proc/self/clear_refs", O_WRONLY)
    guard descriptor >= 0 else { return }
    _ = write(descriptor, "5", 1)
    close(descriptor)
}

/// glibc's malloc_trim (malloc.h is not in the Glibc module): returns freed heap to the system.
@_silgen_name("malloc_trim") func mallocTrim(_ pad: Int) -> Int32

func minorFaults() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_minflt
}

func gb(_ bytes: Int, _ seconds: Double) -> Double { Double(bytes) / seconds / 1e9 }
func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
func mib(_ bytes: Int) -> String { f(Double(bytes) / 1_048_576, 1) + " MiB" }
func ms(_ seconds: Double) -> String { f(seconds * 1e3, 3) + " ms" }
func us(_ seconds: Double) -> String { f(seconds * 1e6, 1) + " µs" }

// MARK: Synthetic data

/// xoshiro-like SplitMix64: fast and seeded, so every run builds the same artifact.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func signedUnit() -> Float { Float(next() >> 40) * 0x1p-23 - 1 }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// A small policy vocabulary (ASCII and a few multi-byte words), so LZ4 sees text like the real corpus.
let vocabulary: [[UInt8]] = [
    "the", "a", "of", "to", "and", "in", "for", "is", "be", "with", "on", "by", "or", "an", "within", "must",
    "may", "not", "employee", "employees", "manager", "approval", "leave", "days", "expense", "receipt",
    "travel", "per", "diem", "policy", "security", "device", "password", "MFA", "access", "request", "report",
    "payroll", "benefits", "401(k)", "$5,000", "overtime", "remote", "office", "holiday", "sick", "parental",
    "notice", "written", "HR", "contractor", "invoice", "reimbursed", "business", "hours", "calendar", "year",
    "café", "résumé", "naïve", "§4.2", "東京", "data", "retention",
].map { Array($0.utf8) }

func makeContents(chunkCount: Int, dimension: Int, seed: UInt64) -> ArtifactContents {
    var random = SplitMix(state: seed)
    let documentCount = max(1, min(200, chunkCount / 100 + 1))
    let documents = (0..<documentCount).map { index in
        DocumentRecord(path: "area\(index % 7)/policy-\(index).md", title: "Policy \(index)",
                       sha256: String(repeating: "0", count: 64), metadata: ["owner": "People Operations", "version": "1.0"],
                       outline: [.init(level: 1, headingPath: ["Policy \(index)"], sourceCharacterStart: 0, sourceCharacterEnd: 100_000),
                                 .init(level: 2, headingPath: ["Policy \(index)", "Rules"], sourceCharacterStart: 10, sourceCharacterEnd: 100_000)])
    }
    var chunks: [ChunkInput] = []
    chunks.reserveCapacity(chunkCount)
    var vectors = [Float16](repeating: 0, count: chunkCount * dimension)
    var row = [Float](repeating: 0, count: dimension)
    var text: [UInt8] = []
    for index in 0..<chunkCount {
        let wordCount = 30 + random.below(51)  // 30...80 words
        text.removeAll(keepingCapacity: true)
        for word in 0..<wordCount {
            if word > 0 { text.append(0x20) }
            text.append(contentsOf: vocabulary[random.below(vocabulary.count)])
        }
        let string = String(decoding: text, as: UTF8.self)
        let start = random.below(90_000)
        chunks.append(ChunkInput(id: random.next(), documentIndex: index % documentCount, outlineIndex: index % 4 == 0 ? nil : 1,
                                 text: string, tokenCount: wordCount + wordCount / 3, sourceCharacterRange: start..<(start + text.count)))
        var norm: Float = 0
        for j in 0..<dimension {
            let value = random.signedUnit()
            row[j] = value
            norm += value * value
        }
        let scale = 1 / norm.squareRoot()
        let base = index * dimension
        for j in 0..<dimension { vectors[base + j] = Float16(row[j] * scale) }
    }
    let manifest = Manifest(
        compiler: .init(name: "artifact-bench", version: "0"),
        model: .init(name: "synthetic", fingerprint: String(repeating: "ab", count: 32), dimension: dimension),
        chunking: .init(targetTokenCount: 200, overlapTokenCount: 32, maximumTokenCount: 256),
        sources: documents.map { .init(path: $0.path, sha256: $0.sha256, byteCount: 100_000) })
    return ArtifactContents(manifest: manifest, documents: documents, chunks: chunks, vectors: vectors)
}

// MARK: Baselines

/// A file written with plain write(2) calls and fsync: what the atomic writer reduces to.
func plainWrite(_ bytes: [UInt8], to path: String) -> Double {
    seconds {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "cannot create \(path)")
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                precondition(result > 0, "write failed")
                written += result
            }
        }
        fsync(descriptor)
        close(descriptor)
    }.0
}

/// A bare open + fstat + mmap + munmap + close of `path`: the floor under any mapped open.
func bareMapSeconds(_ path: String) -> Double {
    seconds {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        var status = stat()
        fstat(descriptor, &status)
        let address = mmap(nil, Int(status.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0)
        precondition(address != MAP_FAILED)
        munmap(address, Int(status.st_size))
        close(descriptor)
    }.0
}

/// The file mapped read-only, for in-process baselines over the same bytes.
final class Mapping {
    let bytes: UnsafeRawBufferPointer
    init(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        precondition(descriptor >= 0)
        var status = stat()
        fstat(descriptor, &status)
        let count = Int(status.st_size)
        let address = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0)!
        close(descriptor)
        bytes = UnsafeRawBufferPointer(start: address, count: count)
    }
    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}

/// Sums `bytes` as 64-bit words in 8 independent lanes: one read pass, the memory-bandwidth floor
/// for anything that reads every byte once.
@inline(never)
func plainSum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let words = bytes.count / 8
    let base = bytes.baseAddress!
    var lanes = SIMD8<UInt64>()
    var index = 0
    while index + 8 <= words {
        lanes &+= base.loadUnaligned(fromByteOffset: index * 8, as: SIMD8<UInt64>.self)
        index += 8
    }
    var sum = lanes.wrappedSum()
    while index < words {
        sum &+= base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
        index += 1
    }
    for tail in (words * 8)..<bytes.count { sum &+= UInt64(bytes[tail]) }
    return sum
}

/// A straightforward dot-product scan written for this benchmark: 16 Float16 values per step with
/// vector loads (`SIMD8<Float16>`), widened (F16C) and multiplied-added (FMA) into two accumulators.
/// A yardstick for `VectorMatrix.dotProducts`: what a plain one-core kernel reaches on this machine.
@inline(never)
func referenceScan(_ values: UnsafeBufferPointer<Float16>, rowCount: Int, dimension: Int, query: [Float]) -> [Float] {
    var scores = [Float](repeating: 0, count: rowCount)
    let base = UnsafeRawPointer(values.baseAddress!)
    query.withUnsafeBufferPointer { q in
        let queryBase = UnsafeRawPointer(q.baseAddress!)
        scores.withUnsafeMutableBufferPointer { out in
            for row in 0..<rowCount {
                let rowBase = base + row * dimension * 2
                var first = SIMD8<Float>()
                var second = SIMD8<Float>()
                var j = 0
                while j + 16 <= dimension {
                    let h0 = rowBase.loadUnaligned(fromByteOffset: j * 2, as: SIMD8<Float16>.self)
                    let h1 = rowBase.loadUnaligned(fromByteOffset: j * 2 + 16, as: SIMD8<Float16>.self)
                    first.addProduct(SIMD8<Float>(h0), queryBase.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self))
                    second.addProduct(SIMD8<Float>(h1), queryBase.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self))
                    j += 16
                }
                var sum = (first + second).sum()
                while j < dimension {
                    sum += Float(values[row * dimension + j]) * q[j]
                    j += 1
                }
                out[row] = sum
            }
        }
    }
    return scores
}

/// `sha256sum PATH` as a subprocess: wall time including process start.
func sha256sumSeconds(_ path: String) -> (Double, String)? {
    guard let tool = ["/usr/bin/sha256sum", "/bin/sha256sum"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    let (elapsed, output): (Double, String) = seconds {
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
    return (elapsed, String(output.prefix(64)))
}

// MARK: Machine

func cpuModel() -> String {
    let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = text.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last
    return model.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
}

func cpuFlags(_ wanted: [String]) -> String {
    let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = Set(text.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
    return wanted.map { flags.contains($0) ? $0 : "no-\($0)" }.joined(separator: " ")
}

func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

// MARK: The run

let settings = Settings(arguments: CommandLine.arguments)
try? FileManager.default.createDirectory(atPath: settings.folder, withIntermediateDirectories: true)
let bigPath = settings.folder + "/big.pidx"
let smallPath = settings.folder + "/small.pidx"
let plainPath = settings.folder + "/plain.bin"
var report: [String] = []
@MainActor func line(_ text: String = "") { report.append(text) }

let n = settings.chunkCount
let d = settings.dimension
line("## Input and machine")
line()
line("- input: \(n) chunks × \(d) dimensions (Float16), texts of 30–80 words from a \(vocabulary.count)-word vocabulary; small artifact: \(settings.smallChunkCount) chunks × \(d)")
line("- CPU: \(cpuModel()), \(ProcessInfo.processInfo.activeProcessorCount) cores online (\(cpuFlags(["avx2", "f16c", "fma", "sha_ni", "avx512f"])))")
line("- memory: \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; load average at start: \(loadAverage())")
line("- build: \(ProcessInfo.processInfo.environment["BENCH_BUILD"] ?? "(run through tools/bench/artifact/run to record the build command)")")
line("- timing: wall clock (ContinuousClock); figures are medians of \(settings.repeats) runs unless said otherwise; the page cache is warm (the file was just written)")
line()

// Write.
progress("generating \(n) × \(d) synthetic chunks")
var (generateSeconds, contents) = seconds { makeContents(chunkCount: n, dimension: d, seed: 42) }
let contentsRSSKB = procStatus("VmRSS")
let textBytes = contents.chunks.reduce(0) { $0 + $1.text.utf8.count }
let rawBytes = contents.vectors.count * 2 + textBytes + n * ChunkRecord.byteCount
progress("generated in \(f(generateSeconds)) s; encoding")
resetPeakRSS()
// Twice: the first run in a fresh process also pays for growing the heap (page faults on new memory).
var (firstEncode, encoded) = try measure(1) { try ArtifactWriter.encode(contents) }
let encodePeakKB = procStatus("VmHWM")
encoded = []
var encode: Timing
(encode, encoded) = try measure(1) { try ArtifactWriter.encode(contents) }
let fileBytes = encoded.count
progress("encoded \(mib(fileBytes)) in \(f(encode.wallMedian)) s; baselines")
var copy = [UInt8](repeating: 1, count: fileBytes)  // touched first, so the timing is the copy only
let (copyTiming, _) = measure(settings.repeats) {
    copy.withUnsafeMutableBytes { destination in
        encoded.withUnsafeBytes { source in _ = memcpy(destination.baseAddress!, source.baseAddress!, fileBytes) }
    }
}
precondition(copy[fileBytes / 2] == encoded[fileBytes / 2])
copy = []
let plainWriteSeconds = plainWrite(encoded, to: plainPath)
unlink(plainPath)
encoded = []
progress("atomic write (encode + write + fsync + rename)")
resetPeakRSS()
let (atomicWrite, _) = try measure(1) { try ArtifactWriter.write(contents, to: bigPath) }
let writePeakKB = procStatus("VmHWM")

// Where encoding goes: the two public steps that can be timed on their own.
progress("encode breakdown: LZ4 of the texts, assemble (XXH64 per section, copy, SHA-256)")
let (lz4, assemble): (Timing, Timing) = try {  // in a closure, so its buffers are freed after it
    var allText: [UInt8] = []
    allText.reserveCapacity(textBytes)
    for chunk in contents.chunks { allText.append(contentsOf: chunk.text.utf8) }
    let (lz4, textPayload) = measure(1) { SectionPayload.lz4Blocks(.chunkText, allText) }
    allText = []
    var vectorSection = [UInt8](repeating: 0, count: 64)
    contents.vectors.withUnsafeBytes { vectorSection.append(contentsOf: $0) }
    let sections: [SectionPayload] = [.raw(.manifest, [1]), .raw(.documents, [1]),
                                      .raw(.chunkTable, [UInt8](repeating: 0, count: 16 + n * ChunkRecord.byteCount)),
                                      textPayload, .raw(.vectors, vectorSection)]
    vectorSection = []
    let (assemble, _) = try measure(1) { try ArtifactWriter.assemble(sections) }
    return (lz4, assemble)
}()
contents = ArtifactContents(manifest: contents.manifest, documents: [], chunks: [], vectors: [])
_ = mallocTrim(0)  // hand the freed heap back, so the read phase's RSS is its own

try ArtifactWriter.write(makeContents(chunkCount: settings.smallChunkCount, dimension: d, seed: 7), to: smallPath)
let smallFileBytes = Int((try FileManager.default.attributesOfItem(atPath: smallPath)[.size] as? NSNumber)?.intValue ?? 0)

func cpu(_ timing: Timing) -> String { ms(timing.cpuMedian) }
let encodeRest = Timing(wall: [encode.wallMedian - lz4.wallMedian - assemble.wallMedian],
                        cpu: [encode.cpuMedian - lz4.cpuMedian - assemble.cpuMedian])

line("## Results")
line()
line("Value: wall time (median). CPU: this thread's CPU time (median), which being descheduled does not inflate; where the two differ a lot, other processes took the core.")
line()
line("| measure | value | CPU | baseline (same run) | ratio |")
line("| --- | --- | --- | --- | --- |")
line("| generate synthetic contents (not the format) | \(f(generateSeconds)) s | | | |")
line("| encode (`ArtifactWriter.encode`), second run | \(f(encode.wallMedian)) s, \(f(gb(fileBytes, encode.wallMedian), 3)) GB/s of output; first run in the process \(f(firstEncode.wallMedian)) s (CPU \(cpu(firstEncode))) | \(cpu(encode)) | memcpy of the \(mib(fileBytes)) output: \(ms(copyTiming.wallMedian)) | \(f(encode.wallMedian / copyTiming.wallMedian, 0))× memcpy |")
line("| … of which LZ4 of the \(mib(textBytes)) of text (`SectionPayload.lz4Blocks`) | \(f(lz4.wallMedian)) s, \(f(gb(textBytes, lz4.wallMedian))) GB/s in | \(cpu(lz4)) | | \(f(lz4.wallMedian / encode.wallMedian)) of encode |")
line("| … of which assembly (`ArtifactWriter.assemble`: XXH64 per section, copy, SHA-256) | \(f(assemble.wallMedian)) s | \(cpu(assemble)) | | \(f(assemble.wallMedian / encode.wallMedian)) of encode |")
line("| … the rest (validation, records, text concatenation, vector bytes, JSON) | \(f(encodeRest.wallMedian)) s | \(cpu(encodeRest)) | | \(f(encodeRest.wallMedian / encode.wallMedian)) of encode |")
line("| write (`ArtifactWriter.write`: encode + write + fsync + rename, one run) | \(f(atomicWrite.wallMedian)) s | \(cpu(atomicWrite)) | encode \(f(encode.wallMedian)) s + plain write+fsync of the same bytes \(f(plainWriteSeconds)) s (\(f(gb(fileBytes, plainWriteSeconds))) GB/s) = \(f(encode.wallMedian + plainWriteSeconds)) s | \(f(atomicWrite.wallMedian / (encode.wallMedian + plainWriteSeconds))) |")
line("| file size | \(mib(fileBytes)) (\(fileBytes) bytes) | | raw data \(mib(rawBytes)): vectors \(mib(n * d * 2)), texts \(mib(textBytes)), records \(mib(n * ChunkRecord.byteCount)) | \(f(Double(fileBytes) / Double(rawBytes), 3))× raw |")

// Open.
progress("open time, \(settings.openRepeats) repeats each, big and small, interleaved with the bare-mmap baseline")
func openTimes(_ path: String) throws -> (open: Timing, bare: [Double], faultsPerOpen: Double) {
    var open = Timing()
    var bare: [Double] = []
    var faults = 0
    for _ in 0..<50 { _ = try ArtifactReader(path: path); _ = bareMapSeconds(path) }  // warm-up
    for _ in 0..<settings.openRepeats {
        bare.append(bareMapSeconds(path))
        let before = minorFaults()
        let (timing, reader) = try measure(1) { try ArtifactReader(path: path) }
        faults += minorFaults() - before
        precondition(reader.chunkCount > 0)
        open.wall += timing.wall  // the reader is released after the timing: munmap is not in `open`
        open.cpu += timing.cpu
    }
    return (open, bare, Double(faults) / Double(settings.openRepeats))
}
let bigOpen = try openTimes(bigPath)
let smallOpen = try openTimes(smallPath)
for (label, times, bytes) in [("open, \(n)-chunk artifact", bigOpen, fileBytes), ("open, \(settings.smallChunkCount)-chunk artifact", smallOpen, smallFileBytes)] {
    line("| \(label) (\(mib(bytes)); \(settings.openRepeats) opens) | median \(us(times.open.wallMedian)), p90 \(us(percentile(times.open.wall, 0.9))), \(f(times.faultsPerOpen, 1)) page faults per open | \(us(times.open.cpuMedian)) | bare open+fstat+mmap+munmap+close: median \(us(median(times.bare))) | \(f(times.open.wallMedian / median(times.bare), 1))× bare |")
}
line("| open time, big ÷ small (target: independent of size, under 5 ms) | \(f(bigOpen.open.wallMedian / smallOpen.open.wallMedian)) | | file size ratio \(f(Double(fileBytes) / Double(smallFileBytes), 0)); bare mmap big ÷ small \(f(median(bigOpen.bare) / median(smallOpen.bare))) | |")

// Section checksums, digest and scan, on one reader: the read phase a daemon goes through.
let readStartRSSKB = procStatus("VmRSS")
resetPeakRSS()
progress("section checksums")
let reader = try ArtifactReader(path: bigPath)
let sectionBytes = reader.sections.reduce(0) { $0 + $1.storedByteCount }
let (firstChecksum, _) = try measure(1) { try reader.verifySectionChecksums() }  // first touch of the new mapping
let (checksums, _) = try measure(settings.repeats) { try reader.verifySectionChecksums() }

progress("SHA-256 digest")
let (digestTiming, _) = try measure(max(3, settings.repeats / 2)) { try reader.verifyDigest() }

progress("Float16 dot-product scan")
let vectors = reader.vectors
var random = SplitMix(state: 99)
var query = (0..<d).map { _ in random.signedUnit() }
let queryNorm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
query = query.map { $0 / queryNorm }
let vectorBytes = vectors.rowCount * vectors.dimension * 2
_ = vectors.dotProducts(with: query)  // warm-up
let (scan, scores) = measure(settings.repeats) { vectors.dotProducts(with: query) }
for row in [0, vectors.rowCount / 2, vectors.rowCount - 1] {  // spot check against a scalar dot product
    let expected = zip(vectors.row(row), query).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    precondition(abs(expected - scores[row]) < 1e-3, "row \(row): scan \(scores[row]), scalar \(expected)")
}
let readPeakKB = procStatus("VmHWM")  // open + verify + digest + scan, before the baselines' own buffers

// Baselines for the read phase.
progress("baselines: plain sums, memcpy, reference scan kernel, sha256sum")
let mapping = Mapping(path: bigPath)
var sink: UInt64 = 0
let (firstSum, firstSumValue) = measure(1) { plainSum(mapping.bytes) }
let (fileSum, fileSumValue) = measure(settings.repeats) { plainSum(mapping.bytes) }
sink &+= firstSumValue &+ fileSumValue
var toolTimes: [Double] = []
for _ in 0..<3 {
    if let (t, _) = sha256sumSeconds(bigPath) { toolTimes.append(t) }  // the whole file, trailer included
}
var destination = [UInt8](repeating: 1, count: vectorBytes)
let (vectorSum, vectorMemcpy, reference): (Timing, Timing, Timing) = vectors.withUnsafeValues { values in
    let raw = UnsafeRawBufferPointer(values)
    let (sum, value) = measure(settings.repeats) { plainSum(raw) }
    sink &+= value
    let (copy, _) = measure(settings.repeats) { destination.withUnsafeMutableBytes { _ = memcpy($0.baseAddress!, raw.baseAddress!, vectorBytes) } }
    let (kernel, referenceScores) = measure(settings.repeats) {
        referenceScan(values, rowCount: vectors.rowCount, dimension: vectors.dimension, query: query)
    }
    for row in [0, vectors.rowCount / 3, vectors.rowCount - 1] {
        precondition(abs(referenceScores[row] - scores[row]) < 1e-3, "row \(row): reference \(referenceScores[row]), dotProducts \(scores[row])")
    }
    return (sum, copy, kernel)
}
destination = []

let fileSumGBs = gb(fileBytes, fileSum.wallMedian)
let checksumGBs = gb(sectionBytes, checksums.wallMedian)
line("| section checksums (`verifySectionChecksums`, XXH64 over \(mib(sectionBytes))) | \(ms(checksums.wallMedian)), \(f(checksumGBs)) GB/s; first pass on a new mapping \(ms(firstChecksum.wallMedian)) (\(f(gb(sectionBytes, firstChecksum.wallMedian))) GB/s) | \(cpu(checksums)) | plain 64-bit sum of the same mapped file: \(ms(fileSum.wallMedian)), \(f(fileSumGBs)) GB/s (first pass on a new mapping \(f(gb(fileBytes, firstSum.wallMedian))) GB/s) | \(f(checksumGBs / fileSumGBs)) of memory bandwidth |")
let digestBytes = fileBytes - 40
let digestGBs = gb(digestBytes, digestTiming.wallMedian)
if toolTimes.isEmpty {
    line("| SHA-256 (`verifyDigest`, \(mib(digestBytes))) | \(ms(digestTiming.wallMedian)), \(f(digestGBs)) GB/s (target ≥ 1 GB/s) | \(cpu(digestTiming)) | sha256sum not found | |")
} else {
    let toolGBs = gb(fileBytes, median(toolTimes))
    line("| SHA-256 (`verifyDigest`, \(mib(digestBytes)), median of \(digestTiming.wall.count)) | \(ms(digestTiming.wallMedian)), \(f(digestGBs)) GB/s (target ≥ 1 GB/s) | \(cpu(digestTiming)) | `sha256sum` on the file (subprocess, wall, median of 3): \(ms(median(toolTimes))), \(f(toolGBs)) GB/s | \(f(digestGBs / toolGBs))× sha256sum |")
}
let scanGBs = gb(vectorBytes, scan.wallMedian)
let vectorSumGBs = gb(vectorBytes, vectorSum.wallMedian)
let referenceGBs = gb(vectorBytes, reference.wallMedian)
line("| Float16 scan (`dotProducts`, \(vectors.rowCount) × \(vectors.dimension), \(mib(vectorBytes))) | \(ms(scan.wallMedian)), \(f(scanGBs)) GB/s, \(f(Double(vectors.rowCount) / scan.wallMedian / 1e6)) M rows/s | \(cpu(scan)) | plain sum of the same vector bytes: \(ms(vectorSum.wallMedian)), \(f(vectorSumGBs)) GB/s; memcpy of them: \(f(gb(vectorBytes, vectorMemcpy.wallMedian))) GB/s (read + write) | \(f(scanGBs / vectorSumGBs)) of read bandwidth |")
line("| Float16 scan, the bench's reference kernel (`SIMD8<Float16>` loads, F16C, FMA; one core) | \(ms(reference.wallMedian)), \(f(referenceGBs)) GB/s | \(cpu(reference)) | the same read bandwidth, \(f(vectorSumGBs)) GB/s | \(f(referenceGBs / vectorSumGBs)) of read bandwidth; `dotProducts` is \(f(scanGBs / referenceGBs)) of it |")
line("| peak RSS (VmHWM), encode | \(mib(encodePeakKB * 1024)) | | the contents alone (VmRSS after generating them): \(mib(contentsRSSKB * 1024)); file \(mib(fileBytes)) | \(f(Double(encodePeakKB - contentsRSSKB) * 1024 / Double(fileBytes), 1))× file above the contents |")
line("| peak RSS (VmHWM), write (encode + write + fsync + rename) | \(mib(writePeakKB * 1024)) | | as above | \(f(Double(writePeakKB - contentsRSSKB) * 1024 / Double(fileBytes), 1))× file above the contents |")
line("| peak RSS (VmHWM), read: open + checksums + digest + scan (mapped file pages count) | \(mib(readPeakKB * 1024)) | | VmRSS before opening \(mib(readStartRSSKB * 1024)); file \(mib(fileBytes)) | \(f(Double(readPeakKB - readStartRSSKB) * 1024 / Double(fileBytes), 2))× file above the start |")
line()
line("Load average at the end: \(loadAverage()). (Sums kept from the optimiser: \(sink % 10).)")

if !settings.keep {
    unlink(bigPath)
    unlink(smallPath)
}
print(report.joined(separator: "\n"))
