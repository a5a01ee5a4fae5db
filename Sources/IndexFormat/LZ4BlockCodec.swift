// Unsafe code allowed here: the one wrapper around liblz4's block API.
import CLZ4

/// The `lz4-blocks` codec: raw bytes cut into blocks of a fixed raw size, each compressed on its
/// own with the LZ4 block format, so a reader decompresses only the blocks it needs.
///
/// Stored layout (docs/ARTIFACT.md, "LZ4 block sections"):
/// `u32 blockCount, u32 blockRawByteCount, u64 blockEnds[blockCount + 1], block data`, where
/// `blockEnds[0]` is where the data starts and `blockEnds[i + 1] - blockEnds[i]` is block i's
/// stored size, all relative to the section's start. Block i holds raw bytes
/// `i * blockRawByteCount ..< min((i + 1) * blockRawByteCount, rawByteCount)`.
enum LZ4BlockCodec {
    /// Compresses `raw` with fixed settings (`LZ4_compress_default`), so equal input gives equal bytes.
    static func compress(_ raw: [UInt8], blockRawByteCount: Int) -> [UInt8] {
        precondition(blockRawByteCount > 0 && blockRawByteCount <= FormatLayout.maximumBlockRawByteCount)
        let blockCount = (raw.count + blockRawByteCount - 1) / blockRawByteCount
        var blocks: [[UInt8]] = []
        blocks.reserveCapacity(blockCount)
        for start in stride(from: 0, to: raw.count, by: blockRawByteCount) {
            let end = min(start + blockRawByteCount, raw.count)
            blocks.append(compressBlock(raw[start..<end]))
        }
        var writer = ByteWriter()
        writer.append(UInt32(blockCount))
        writer.append(UInt32(blockRawByteCount))
        var end = 8 + 8 * (blockCount + 1)
        writer.append(UInt64(end))
        for block in blocks {
            end += block.count
            writer.append(UInt64(end))
        }
        for block in blocks { writer.append(block) }
        return writer.bytes
    }

    private static func compressBlock(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        let capacity = Int(LZ4_compressBound(Int32(raw.count)))
        var output = [UInt8](repeating: 0, count: capacity)
        let written = unsafe raw.withUnsafeBytes { source in
            unsafe output.withUnsafeMutableBytes { destination in
                unsafe LZ4_compress_default(
                    source.baseAddress?.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress?.assumingMemoryBound(to: CChar.self),
                    Int32(raw.count), Int32(capacity))
            }
        }
        // LZ4_compress_default fails only when the destination is smaller than LZ4_compressBound.
        precondition(written > 0 || raw.isEmpty, "LZ4_compress_default failed on \(raw.count) bytes")
        output.removeSubrange(Int(written)...)
        return output
    }
}

/// A read view of one `lz4-blocks` section inside the mapped file. Creating it checks the prelude
/// (constant time); each block's offsets are checked when that block is read.
struct LZ4BlockSection: Sendable {
    let section: SectionKind
    let reader: ByteReader
    let byteOffset: Int
    let storedByteCount: Int
    let rawByteCount: Int
    let blockCount: Int
    let blockRawByteCount: Int

    init(entry: SectionEntry, reader: ByteReader) throws(ArtifactError) {
        section = entry.kind
        self.reader = reader
        byteOffset = entry.byteOffset
        storedByteCount = entry.storedByteCount
        rawByteCount = entry.rawByteCount
        guard storedByteCount >= 8 else {
            throw .malformedSection(section: section, byteOffset: byteOffset, reason: "\(storedByteCount) bytes cannot hold the 8-byte block prelude")
        }
        blockCount = Int(try reader.uint32(at: byteOffset, in: section))
        blockRawByteCount = Int(try reader.uint32(at: byteOffset + 4, in: section))
        guard blockRawByteCount >= 1, blockRawByteCount <= FormatLayout.maximumBlockRawByteCount else {
            throw .declaredSizeTooLarge(section: section, declared: UInt64(blockRawByteCount), limit: FormatLayout.maximumBlockRawByteCount)
        }
        let expectedBlockCount = (rawByteCount + blockRawByteCount - 1) / blockRawByteCount
        guard blockCount == expectedBlockCount else {
            throw .malformedSection(section: section, byteOffset: byteOffset,
                                    reason: "\(blockCount) blocks cannot hold \(rawByteCount) raw bytes in blocks of \(blockRawByteCount) (expected \(expectedBlockCount))")
        }
        guard 8 + 8 * (blockCount + 1) <= storedByteCount else {
            throw .malformedSection(section: section, byteOffset: byteOffset, reason: "the index of \(blockCount) blocks does not fit in \(storedByteCount) bytes")
        }
    }

    /// Block `index`'s raw bytes, decompressed into a buffer of its declared size (at most
    /// `FormatLayout.maximumBlockRawByteCount`), which it must fill exactly.
    func decompressBlock(_ index: Int) throws(ArtifactError) -> [UInt8] {
        precondition(index >= 0 && index < blockCount, "block \(index) of \(blockCount)")
        let start = Int(clamping: try reader.uint64(at: byteOffset + 8 + 8 * index, in: section))
        let end = Int(clamping: try reader.uint64(at: byteOffset + 16 + 8 * index, in: section))
        let dataStart = 8 + 8 * (blockCount + 1)
        guard start >= dataStart, start <= end, end <= storedByteCount else {
            throw .malformedSection(section: section, byteOffset: byteOffset + 8 + 8 * index,
                                    reason: "block \(index) spans bytes \(start)..<\(end), outside the block data \(dataStart)..<\(storedByteCount)")
        }
        // A block never compresses to more than LZ4_compressBound of its raw size (and never to 0 bytes).
        guard end - start > 0, end - start <= Int(LZ4_compressBound(Int32(blockRawByteCount))) else {
            throw .corruptCompressedData(section: section, block: index, byteOffset: byteOffset + start)
        }
        let rawStart = index * blockRawByteCount
        let expected = min(blockRawByteCount, rawByteCount - rawStart)
        let source = try unsafe reader.slice(at: byteOffset + start, length: end - start, in: section)
        var output = [UInt8](repeating: 0, count: expected)
        let decoded = unsafe output.withUnsafeMutableBytes { destination in
            unsafe LZ4_decompress_safe(
                source.baseAddress?.assumingMemoryBound(to: CChar.self),
                destination.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(source.count), Int32(expected))
        }
        // LZ4_decompress_safe never writes past the destination, but only the exact count proves the index honest.
        guard decoded == Int32(expected) else {
            throw .corruptCompressedData(section: section, block: index, byteOffset: byteOffset + start)
        }
        return output
    }

    /// The last block decoded, kept so that sequential reads (verification) decode each block once.
    struct DecodedBlock {
        var index = -1
        var bytes: [UInt8] = []
    }

    /// Raw bytes `range`, decompressing only the blocks it touches.
    func decompress(_ range: Range<Int>) throws(ArtifactError) -> [UInt8] {
        var cache = DecodedBlock()
        return try decompress(range, reusing: &cache)
    }

    /// Raw bytes `range`, reusing `cache` when it holds a block the range needs.
    func decompress(_ range: Range<Int>, reusing cache: inout DecodedBlock) throws(ArtifactError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= rawByteCount else {
            throw .malformedSection(section: section, byteOffset: byteOffset,
                                    reason: "raw range \(range) is outside the section's \(rawByteCount) raw bytes")
        }
        guard !range.isEmpty else { return [] }
        let firstBlock = range.lowerBound / blockRawByteCount
        let lastBlock = (range.upperBound - 1) / blockRawByteCount
        var output: [UInt8] = []
        // Callers bound `range` (one chunk's text, or a whole section under its limit) before asking.
        output.reserveCapacity(range.count)
        for index in firstBlock...lastBlock {
            if cache.index != index {
                cache = DecodedBlock(index: index, bytes: try decompressBlock(index))
            }
            let blockStart = index * blockRawByteCount
            let from = max(range.lowerBound, blockStart) - blockStart
            let to = min(range.upperBound, blockStart + cache.bytes.count) - blockStart
            output.append(contentsOf: cache.bytes[from..<to])
        }
        return output
    }

    /// The whole section, refused when its declared raw size is above `limit`.
    func decompressAll(limit: Int = FormatLayout.maximumWholeSectionByteCount) throws(ArtifactError) -> [UInt8] {
        guard rawByteCount <= limit else {
            throw .declaredSizeTooLarge(section: section, declared: UInt64(rawByteCount), limit: limit)
        }
        return try decompress(0..<rawByteCount)
    }
}
