/// One chunk's fixed-size record in the `chunk-table` section (48 bytes, little-endian).
///
/// Row `i` of the vectors section is the embedding of chunk `i`.
public struct ChunkRecord: Equatable, Sendable {
    /// Stable across rebuilds of unchanged text (the compiler derives it from document and content).
    public var id: UInt64                      // bytes 0..<8
    public var documentIndex: Int              // bytes 8..<12, into the documents section's array
    /// The deepest outline entry holding the chunk; nil is stored as 0xFFFF_FFFF.
    public var outlineIndex: Int?              // bytes 12..<16
    /// Where the chunk's UTF-8 text lives in the chunk-text section's raw bytes.
    public var textByteOffset: Int             // bytes 16..<24
    public var textByteCount: Int              // bytes 24..<28
    public var tokenCount: Int                 // bytes 28..<32
    /// Unicode scalar offsets of the chunk in its source document.
    public var sourceCharacterRange: Range<Int>  // bytes 32..<36 start, 36..<40 end
    // bytes 40..<48 reserved, zero.

    public static let byteCount = 48
    static let noOutline: UInt32 = 0xFFFF_FFFF

    public init(id: UInt64, documentIndex: Int, outlineIndex: Int?, textByteOffset: Int, textByteCount: Int,
                tokenCount: Int, sourceCharacterRange: Range<Int>) {
        self.id = id
        self.documentIndex = documentIndex
        self.outlineIndex = outlineIndex
        self.textByteOffset = textByteOffset
        self.textByteCount = textByteCount
        self.tokenCount = tokenCount
        self.sourceCharacterRange = sourceCharacterRange
    }

    /// The ID as people see it: "c" and 16 hexadecimal digits.
    public var displayID: String {
        let digits = String(id, radix: 16)
        return "c" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Parses a display ID ("c" and 16 hexadecimal digits).
    public static func id(fromDisplayID text: String) -> UInt64? {
        guard text.count == 17, text.first == "c" else { return nil }
        return UInt64(text.dropFirst(), radix: 16)
    }

    func encode(into writer: inout ByteWriter) {
        writer.append(id)
        writer.append(UInt32(documentIndex))
        writer.append(outlineIndex.map { UInt32($0) } ?? Self.noOutline)
        writer.append(UInt64(textByteOffset))
        writer.append(UInt32(textByteCount))
        writer.append(UInt32(tokenCount))
        writer.append(UInt32(sourceCharacterRange.lowerBound))
        writer.append(UInt32(sourceCharacterRange.upperBound))
        writer.append(UInt64(0))
    }

    /// Decodes the record at `offset`. Field values are range-checked against the artifact by
    /// `ArtifactReader.chunk(at:)`, not here.
    static func decode(from reader: ByteReader, at offset: Int) throws(ArtifactError) -> ChunkRecord {
        let section = SectionKind.chunkTable
        let outline = try reader.uint32(at: offset + 12, in: section)
        let start = Int(try reader.uint32(at: offset + 32, in: section))
        let end = Int(try reader.uint32(at: offset + 36, in: section))
        guard start <= end else {
            throw .malformedSection(section: section, byteOffset: offset + 32, reason: "source range \(start)..<\(end) ends before it starts")
        }
        return ChunkRecord(
            id: try reader.uint64(at: offset, in: section),
            documentIndex: Int(try reader.uint32(at: offset + 8, in: section)),
            outlineIndex: outline == noOutline ? nil : Int(outline),
            textByteOffset: Int(clamping: try reader.uint64(at: offset + 16, in: section)),
            textByteCount: Int(try reader.uint32(at: offset + 24, in: section)),
            tokenCount: Int(try reader.uint32(at: offset + 28, in: section)),
            sourceCharacterRange: start..<end)
    }
}
