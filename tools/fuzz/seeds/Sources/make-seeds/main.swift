// Writes the artifact fuzzer's seed corpus: small valid artifacts made by the real ArtifactWriter,
// and broken variants of them (truncated, one bit flipped in each part, wrong magic, line-ending
// damage, a future major version). Deterministic: the same sources give the same files.
//
//   make-seeds OUTPUT-FOLDER
import Foundation
import IndexFormat

/// SplitMix64, so the seeds are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let words = ["leave", "expense", "per", "diem", "approval", "manager", "travel", "receipt", "policy",
             "days", "within", "$5,000", "401(k)", "MFA", "café", "résumé", "東京"]

func contents(chunkCount: Int, dimension: Int, documentCount: Int, seed: UInt64,
              additional: [SectionPayload] = []) -> ArtifactContents {
    var random = SplitMix(state: seed)
    let documents = (0..<documentCount).map { index in
        DocumentRecord(path: "area/policy-\(index).md", title: "Policy \(index)",
                       sha256: String(repeating: "0", count: 64),
                       metadata: ["owner": "HR", "version": "1.\(index)"],
                       outline: [.init(level: 1, headingPath: ["Policy \(index)"], sourceCharacterStart: 0, sourceCharacterEnd: 900),
                                 .init(level: 2, headingPath: ["Policy \(index)", "Rules"], sourceCharacterStart: 40, sourceCharacterEnd: 900)])
    }
    var chunks: [ChunkInput] = []
    var vectors: [Float16] = []
    for index in 0..<chunkCount {
        let wordCount = Int.random(in: 3...12, using: &random)
        let text = (0..<wordCount).map { _ in words[Int.random(in: 0..<words.count, using: &random)] }.joined(separator: " ")
        let start = Int.random(in: 0..<500, using: &random)
        chunks.append(ChunkInput(id: random.next(), documentIndex: index % documentCount,
                                 outlineIndex: index % 3 == 0 ? nil : index % 2, text: text, tokenCount: wordCount + 2,
                                 sourceCharacterRange: start..<(start + text.unicodeScalars.count)))
        let values = (0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        vectors.append(contentsOf: values.map { Float16($0 / norm) })
    }
    let manifest = Manifest(
        compiler: .init(name: "policyc", version: "0.1.0"),
        model: .init(name: "seed", fingerprint: String(repeating: "ab", count: 32), dimension: dimension),
        chunking: .init(targetTokenCount: 200, overlapTokenCount: 32, maximumTokenCount: 256),
        sources: documents.map { .init(path: $0.path, sha256: $0.sha256, byteCount: 900) })
    return ArtifactContents(manifest: manifest, documents: documents, chunks: chunks, vectors: vectors,
                            additionalSections: additional)
}

/// `bytes` re-laid out with the chunk text in `blockRawByteCount`-byte LZ4 blocks, so one chunk's
/// text spans several blocks (the writer's default blocks are 16 KiB, larger than any seed).
func withSmallTextBlocks(_ bytes: [UInt8], blockRawByteCount: Int) throws -> [UInt8] {
    let reader = try ArtifactReader(bytes: bytes)
    var payloads: [SectionPayload] = []
    for entry in reader.sections {
        guard let raw = try reader.sectionContents(entry.kind) else { continue }
        switch (entry.kind, entry.codec) {
        case (.chunkText, _): payloads.append(.lz4Blocks(.chunkText, raw, blockRawByteCount: blockRawByteCount))
        case (_, .raw): payloads.append(.raw(entry.kind, raw))
        case (_, .lz4Blocks): payloads.append(.lz4Blocks(entry.kind, raw, blockRawByteCount: 64 << 10))
        }
    }
    return try ArtifactWriter.assemble(payloads)
}

guard CommandLine.arguments.count == 2 else {
    print("usage: make-seeds OUTPUT-FOLDER")
    exit(2)
}
let folder = CommandLine.arguments[1]
var written: [(String, Int)] = []
@MainActor func save(_ name: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
    written.append((name, bytes.count))
}

let lexicon = SectionPayload.lz4Blocks(.lexicon, Array("leave\t1 4\nexpense\t2\ncafé\t0 3\n".utf8), blockRawByteCount: 16)
let extra = SectionPayload.raw(.unknown(77), [1, 2, 3, 4, 5, 6, 7, 8, 9])

let empty = try ArtifactWriter.encode(contents(chunkCount: 0, dimension: 8, documentCount: 1, seed: 1))
let one = try ArtifactWriter.encode(contents(chunkCount: 1, dimension: 5, documentCount: 1, seed: 2))
let three = try ArtifactWriter.encode(contents(chunkCount: 3, dimension: 12, documentCount: 2, seed: 3))
let twenty = try ArtifactWriter.encode(contents(chunkCount: 20, dimension: 16, documentCount: 3, seed: 4,
                                                additional: [lexicon, extra]))
let twentySmallBlocks = try withSmallTextBlocks(twenty, blockRawByteCount: 64)

try save("valid-0-chunks-d8.pidx", empty)
try save("valid-1-chunk-d5.pidx", one)
try save("valid-3-chunks-d12.pidx", three)
try save("valid-20-chunks-d16-lexicon-unknown.pidx", twenty)
try save("valid-20-chunks-d16-64-byte-text-blocks.pidx", twentySmallBlocks)

// Broken variants of the three-chunk artifact, and of the twenty-chunk one for the extra sections.
func flipped(_ bytes: [UInt8], at offset: Int, bit: Int = 0) -> [UInt8] {
    var copy = bytes
    copy[offset] ^= UInt8(1 << bit)
    return copy
}
for (label, base) in [("3-chunks", three), ("20-chunks", twenty)] {
    let reader = try ArtifactReader(bytes: base)
    let tableEnd = 64 + reader.sections.count * 64
    try save("broken-\(label)-truncated-header.pidx", Array(base.prefix(40)))
    try save("broken-\(label)-truncated-table.pidx", Array(base.prefix(64 + 64 + 20)))
    try save("broken-\(label)-truncated-no-trailer.pidx", Array(base.dropLast(40)))
    try save("broken-\(label)-truncated-half-trailer.pidx", Array(base.dropLast(20)))
    try save("broken-\(label)-flip-header-file-size.pidx", flipped(base, at: 16, bit: 3))
    try save("broken-\(label)-flip-header-section-count.pidx", flipped(base, at: 32))
    try save("broken-\(label)-flip-header-checksum.pidx", flipped(base, at: 60))
    try save("broken-\(label)-flip-table.pidx", flipped(base, at: 64 + 8 + 1))
    try save("broken-\(label)-flip-table-end.pidx", flipped(base, at: tableEnd - 30))
    try save("broken-\(label)-flip-trailer-digest.pidx", flipped(base, at: base.count - 1))
    try save("broken-\(label)-appended-byte.pidx", base + [0])
    for entry in reader.sections {
        try save("broken-\(label)-truncated-in-\(entry.kind).pidx", Array(base.prefix(entry.byteOffset + entry.storedByteCount / 2)))
        try save("broken-\(label)-flip-first-byte-\(entry.kind).pidx", flipped(base, at: entry.byteOffset))
        try save("broken-\(label)-flip-middle-\(entry.kind).pidx", flipped(base, at: entry.byteOffset + entry.storedByteCount / 2, bit: 5))
    }
}
var wrongMagic = three
wrongMagic[1] = UInt8(ascii: "Q")
try save("broken-wrong-magic.pidx", wrongMagic)
var lineEndings = three
lineEndings.remove(at: 6)  // "\r\n" became "\n"
try save("broken-line-ending-damage.pidx", lineEndings)
var future = three
future[8] = 2  // major version 2 (checked before the header checksum)
try save("broken-future-major-version.pidx", future)
var futureMinor = three
futureMinor[10] = 9  // minor version 9: must still open once the checksum matches (the harness repairs it)
try save("broken-future-minor-version.pidx", futureMinor)
try save("broken-empty-file.pidx", [])
try save("broken-magic-only.pidx", Array(three.prefix(8)))

let total = written.reduce(0) { $0 + $1.1 }
for (name, count) in written { print(String(repeating: " ", count: max(0, 6 - String(count).count)) + "\(count) \(name)") }
print("\(written.count) seeds, \(total) bytes, largest \(written.map(\.1).max() ?? 0)")
