import Checksums

/// The fixed numbers of the artifact's layout. docs/ARTIFACT.md is the normative description;
/// every constant here appears there.
public enum FormatLayout {
    /// Bytes 0..<8. The 0x89 catches 7-bit transfers, "\r\n" catches line-ending conversion,
    /// 0x1A stops `type` on DOS (the PNG signature's reasoning).
    public static let magic: [UInt8] = [0x89, 0x50, 0x49, 0x44, 0x58, 0x0D, 0x0A, 0x1A]  // \x89 P I D X \r \n \x1a
    /// The major version this build writes and reads. A different major version is refused.
    public static let majorVersion: UInt16 = 1
    /// The minor version this build writes. Newer minor versions are read (unknown sections skipped).
    public static let minorVersion: UInt16 = 2

    public static let headerByteCount = 64
    public static let sectionEntryByteCount = 64
    /// Sections start at multiples of this, so Float16 rows can be read in place with vector loads.
    public static let sectionAlignment = 64
    /// The trailer: 8 magic bytes, then the SHA-256 of every byte before the trailer.
    public static let trailerMagic: [UInt8] = Array("PIDXEND\n".utf8)
    public static let trailerByteCount = 40
    /// The smallest well-formed file: a header, no sections, a trailer.
    public static let minimumFileByteCount = headerByteCount + trailerByteCount

    /// Sanity limits a reader applies before trusting a declared count (never allocate by the file).
    public static let maximumSectionCount = 1024
    public static let maximumRawSectionByteCount: UInt64 = 1 << 40
    public static let maximumBlockRawByteCount = 4 << 20
    /// A section decoded whole (manifest, documents) may expand to at most this.
    public static let maximumWholeSectionByteCount = 256 << 20
    /// One chunk's text is at most this many bytes (the encoder reads 256 tokens; 1 MiB is far above).
    public static let maximumChunkTextByteCount = 1 << 20
    /// Vector dimensions a reader accepts (MiniLM: 384; the largest common models: 4096).
    public static let dimensionRange = 1...65_536
    /// The largest chunk record a reader accepts (a newer minor version may grow records from 48).
    public static let maximumChunkRecordByteCount = 4096

    /// The chunk-text block size the writer uses: an answer decompresses one or two blocks.
    public static let defaultBlockRawByteCount = 16 << 10

    /// `value` rounded up to a multiple of `alignment` (a power of two).
    static func alignUp(_ value: Int, _ alignment: Int = sectionAlignment) -> Int {
        (value + alignment - 1) & ~(alignment - 1)
    }
}

/// The 64-byte header at byte 0.
public struct FileHeader: Equatable, Sendable {
    public var majorVersion: UInt16            // bytes 8..<10
    public var minorVersion: UInt16            // bytes 10..<12
    public var headerByteCount: UInt32         // bytes 12..<16, always 64
    public var fileByteCount: UInt64           // bytes 16..<24, the whole file including the trailer
    public var sectionTableByteOffset: UInt64  // bytes 24..<32, always 64 (right after the header)
    public var sectionCount: UInt32            // bytes 32..<36
    public var sectionEntryByteCount: UInt32   // bytes 36..<40, always 64
    public var sectionTableChecksum: UInt64    // bytes 40..<48, XXH64 of the section table
    // bytes 48..<56 reserved, zero; bytes 56..<64 XXH64 of bytes 0..<56.

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.append(FormatLayout.magic)
        writer.append(majorVersion)
        writer.append(minorVersion)
        writer.append(headerByteCount)
        writer.append(fileByteCount)
        writer.append(sectionTableByteOffset)
        writer.append(sectionCount)
        writer.append(sectionEntryByteCount)
        writer.append(sectionTableChecksum)
        writer.append(UInt64(0))
        writer.append(XXH64.hash(writer.bytes))
        return writer.bytes
    }
}

/// One 64-byte entry of the section table.
public struct SectionEntry: Equatable, Sendable {
    public var kind: SectionKind        // bytes 0..<4
    public var codec: SectionCodec      // bytes 4..<8 (unknown codecs are only legal on unknown kinds)
    public var byteOffset: Int          // bytes 8..<16, from the start of the file, 64-byte aligned
    public var storedByteCount: Int     // bytes 16..<24, bytes in the file
    public var rawByteCount: Int        // bytes 24..<32, bytes once decoded (equal to stored for raw)
    public var checksum: UInt64         // bytes 32..<40, XXH64 of the stored bytes
    // bytes 40..<64 reserved, zero.

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.append(kind.rawValue)
        writer.append(codec.rawValue)
        writer.append(UInt64(byteOffset))
        writer.append(UInt64(storedByteCount))
        writer.append(UInt64(rawByteCount))
        writer.append(checksum)
        writer.append([UInt8](repeating: 0, count: 24))
        return writer.bytes
    }

    /// The stored bytes' range in the file (checked against the file when the table is read).
    public var byteRange: Range<Int> { byteOffset..<(byteOffset + storedByteCount) }
}
