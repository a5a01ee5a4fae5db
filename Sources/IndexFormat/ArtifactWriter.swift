#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Checksums

/// One chunk as the compiler hands it to the writer.
public struct ChunkInput: Equatable, Sendable {
    public var id: UInt64
    public var documentIndex: Int
    public var outlineIndex: Int?
    public var text: String
    public var tokenCount: Int
    public var sourceCharacterRange: Range<Int>

    public init(id: UInt64, documentIndex: Int, outlineIndex: Int?, text: String, tokenCount: Int, sourceCharacterRange: Range<Int>) {
        self.id = id
        self.documentIndex = documentIndex
        self.outlineIndex = outlineIndex
        self.text = text
        self.tokenCount = tokenCount
        self.sourceCharacterRange = sourceCharacterRange
    }
}

/// Everything an artifact holds, before encoding.
public struct ArtifactContents: Sendable {
    public var manifest: Manifest
    public var documents: [DocumentRecord]
    public var chunks: [ChunkInput]
    /// `chunks.count × manifest.model.dimension` values, row-major, each row L2-normalised.
    public var vectors: [Float16]
    /// Sections this module does not interpret (the lexicon), written after the standard ones.
    public var additionalSections: [SectionPayload]

    public init(manifest: Manifest, documents: [DocumentRecord], chunks: [ChunkInput], vectors: [Float16],
                additionalSections: [SectionPayload] = []) {
        self.manifest = manifest
        self.documents = documents
        self.chunks = chunks
        self.vectors = vectors
        self.additionalSections = additionalSections
    }
}

/// A section's stored bytes, ready to be laid out.
public struct SectionPayload: Equatable, Sendable {
    public let kind: SectionKind
    public let codec: SectionCodec
    public let storedBytes: [UInt8]
    public let rawByteCount: Int

    /// Stored as is.
    public static func raw(_ kind: SectionKind, _ bytes: [UInt8]) -> SectionPayload {
        SectionPayload(kind: kind, codec: .raw, storedBytes: bytes, rawByteCount: bytes.count)
    }

    /// Compressed in LZ4 blocks of `blockRawByteCount` raw bytes.
    public static func lz4Blocks(_ kind: SectionKind, _ bytes: [UInt8],
                                 blockRawByteCount: Int = FormatLayout.defaultBlockRawByteCount) -> SectionPayload {
        SectionPayload(kind: kind, codec: .lz4Blocks,
                       storedBytes: LZ4BlockCodec.compress(bytes, blockRawByteCount: blockRawByteCount),
                       rawByteCount: bytes.count)
    }
}

/// Writes artifacts. The bytes are a pure function of the contents: no clocks, no paths, JSON with
/// sorted keys, fixed compression settings.
public enum ArtifactWriter {
    /// Encodes `contents` and writes them to `path` atomically (temporary file, fsync, rename).
    public static func write(_ contents: ArtifactContents, to path: String) throws(ArtifactError) {
        try FileOutput.writeAtomically(try encode(contents), to: path)
    }

    /// Writes already encoded artifact bytes to `path` atomically.
    public static func writeBytes(_ bytes: [UInt8], to path: String) throws(ArtifactError) {
        try FileOutput.writeAtomically(bytes, to: path)
    }

    /// The artifact's bytes.
    public static func encode(_ contents: ArtifactContents) throws(ArtifactError) -> [UInt8] {
        try validate(contents)
        var text = ByteWriter()
        var table = ByteWriter(capacity: 16 + contents.chunks.count * ChunkRecord.byteCount)
        table.append(UInt32(contents.chunks.count))
        table.append(UInt32(ChunkRecord.byteCount))
        table.append(UInt64(0))
        for chunk in contents.chunks {
            let utf8 = Array(chunk.text.utf8)
            ChunkRecord(id: chunk.id, documentIndex: chunk.documentIndex, outlineIndex: chunk.outlineIndex,
                        textByteOffset: text.count, textByteCount: utf8.count, tokenCount: chunk.tokenCount,
                        sourceCharacterRange: chunk.sourceCharacterRange).encode(into: &table)
            text.append(utf8)
        }

        var vectors = ByteWriter(capacity: 64 + contents.vectors.count * 2)
        vectors.append(UInt32(contents.chunks.count))
        vectors.append(UInt32(contents.manifest.model.dimension))
        vectors.append(VectorsSection.float16ElementType)
        vectors.pad(toMultipleOf: VectorsSection.preludeByteCount)
        vectors.append(VectorMatrix.encode(contents.vectors))

        let sections: [SectionPayload] = [
            .lz4Blocks(.manifest, try json(contents.manifest), blockRawByteCount: 64 << 10),
            .lz4Blocks(.documents, try json(contents.documents), blockRawByteCount: 64 << 10),
            .raw(.chunkTable, table.bytes),
            .lz4Blocks(.chunkText, text.bytes),
            .raw(.vectors, vectors.bytes),
        ] + contents.additionalSections
        return try assemble(sections)
    }

    /// Lays `sections` out in order: header, section table, each section at the next 64-byte
    /// boundary (zero padding between), then the trailer with the SHA-256 of everything before it.
    public static func assemble(_ sections: [SectionPayload]) throws(ArtifactError) -> [UInt8] {
        var seen: Set<UInt32> = []
        for section in sections where !seen.insert(section.kind.rawValue).inserted {
            throw .invalidContents(reason: "two sections of kind \(section.kind)")
        }
        guard sections.count <= FormatLayout.maximumSectionCount else {
            throw .invalidContents(reason: "\(sections.count) sections, above the limit of \(FormatLayout.maximumSectionCount)")
        }

        var entries: [SectionEntry] = []
        var position = FormatLayout.alignUp(FormatLayout.headerByteCount + sections.count * FormatLayout.sectionEntryByteCount)
        for section in sections {
            entries.append(SectionEntry(kind: section.kind, codec: section.codec, byteOffset: position,
                                        storedByteCount: section.storedBytes.count, rawByteCount: section.rawByteCount,
                                        checksum: XXH64.hash(section.storedBytes)))
            position = FormatLayout.alignUp(position + section.storedBytes.count)
        }
        let sectionsEnd = entries.last.map { $0.byteOffset + $0.storedByteCount }
            ?? FormatLayout.headerByteCount + sections.count * FormatLayout.sectionEntryByteCount
        let fileByteCount = sectionsEnd + FormatLayout.trailerByteCount

        var table = ByteWriter(capacity: entries.count * FormatLayout.sectionEntryByteCount)
        for entry in entries { table.append(entry.encoded()) }
        let header = FileHeader(
            majorVersion: FormatLayout.majorVersion, minorVersion: FormatLayout.minorVersion,
            headerByteCount: UInt32(FormatLayout.headerByteCount), fileByteCount: UInt64(fileByteCount),
            sectionTableByteOffset: UInt64(FormatLayout.headerByteCount), sectionCount: UInt32(entries.count),
            sectionEntryByteCount: UInt32(FormatLayout.sectionEntryByteCount),
            sectionTableChecksum: XXH64.hash(table.bytes))

        var file = ByteWriter(capacity: fileByteCount)
        file.append(header.encoded())
        file.append(table.bytes)
        for (entry, section) in zip(entries, sections) {
            file.pad(toMultipleOf: FormatLayout.sectionAlignment)
            precondition(file.count == entry.byteOffset)
            file.append(section.storedBytes)
        }
        precondition(file.count == sectionsEnd)
        let digest = SHA256.digest(file.bytes)
        file.append(FormatLayout.trailerMagic)
        file.append(digest)
        return file.bytes
    }

    private static func validate(_ contents: ArtifactContents) throws(ArtifactError) {
        let dimension = contents.manifest.model.dimension
        guard dimension > 0, dimension <= 65_536 else {
            throw .invalidContents(reason: "embedding dimension \(dimension) is outside 1...65536")
        }
        guard contents.chunks.count < Int(UInt32.max), contents.documents.count < Int(UInt32.max) else {
            throw .invalidContents(reason: "more than 2^32 - 1 chunks or documents")
        }
        guard contents.vectors.count == contents.chunks.count * dimension else {
            throw .invalidContents(reason: "\(contents.vectors.count) vector values for \(contents.chunks.count) chunks of dimension \(dimension)")
        }
        if let index = contents.vectors.firstIndex(where: { !$0.isFinite }) {
            throw .invalidContents(reason: "vector row \(index / dimension) holds a non-finite value")
        }
        for (index, chunk) in contents.chunks.enumerated() {
            guard chunk.documentIndex >= 0, chunk.documentIndex < contents.documents.count else {
                throw .invalidContents(reason: "chunk \(index) names document \(chunk.documentIndex) of \(contents.documents.count)")
            }
            if let outline = chunk.outlineIndex {
                guard outline >= 0, outline < contents.documents[chunk.documentIndex].outline.count else {
                    throw .invalidContents(reason: "chunk \(index) names outline entry \(outline) of document \(chunk.documentIndex)")
                }
            }
            guard chunk.sourceCharacterRange.lowerBound >= 0, chunk.sourceCharacterRange.upperBound < Int(UInt32.max),
                  chunk.tokenCount >= 0, chunk.tokenCount < Int(UInt32.max), chunk.text.utf8.count < Int(UInt32.max) else {
                throw .invalidContents(reason: "chunk \(index) has a field outside 0..<2^32")
            }
        }
    }

    private static func json<Value: Encodable>(_ value: Value) throws(ArtifactError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .invalidContents(reason: "cannot encode \(Value.self) as JSON: \(error)")
        }
    }
}

/// The vectors section's 64-byte prelude: `u32 rowCount, u32 dimension, u32 elementType`, zeros.
enum VectorsSection {
    static let preludeByteCount = 64
    /// IEEE 754 binary16, little-endian.
    static let float16ElementType: UInt32 = 1
}
