#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Checksums

/// A policy index artifact, mapped read-only.
///
/// Opening checks the header, the section table and the fixed preludes of the sections it
/// interprets: constant time, whatever the file's size. `verifySectionChecksums()` reads every
/// section once (the daemon calls it before it reports ready); `verifyDigest()` hashes the whole
/// file. Every offset and length from the file is checked before use; damage is an `ArtifactError`,
/// never a crash or an allocation sized by the file.
public final class ArtifactReader: Sendable {
    public let header: FileHeader
    /// The section table, in file order.
    public let sections: [SectionEntry]
    public let vectors: VectorMatrix
    public let chunkCount: Int

    private let file: MappedFile
    private let reader: ByteReader
    private let chunkTableRecordsOffset: Int
    private let chunkRecordByteCount: Int
    private let chunkText: LZ4BlockSection

    /// Maps and opens the artifact at `path`.
    public convenience init(path: String) throws(ArtifactError) {
        try self.init(file: try MappedFile(path: path))
    }

    /// Opens an artifact held in memory (a private copy is made), for tests and fuzzing.
    public convenience init(bytes: [UInt8]) throws(ArtifactError) {
        try self.init(file: MappedFile(copying: bytes))
    }

    private init(file: MappedFile) throws(ArtifactError) {
        self.file = file
        reader = file.reader
        header = try Self.readHeader(reader)
        sections = try Self.readSectionTable(reader, header: header)

        let vectorsEntry = try Self.entry(.vectors, codec: .raw, in: sections)
        let rowCount = Int(try reader.uint32(at: vectorsEntry.byteOffset, in: .vectors))
        let dimension = Int(try reader.uint32(at: vectorsEntry.byteOffset + 4, in: .vectors))
        let elementType = try reader.uint32(at: vectorsEntry.byteOffset + 8, in: .vectors)
        guard elementType == VectorsSection.float16ElementType else {
            throw .malformedSection(section: .vectors, byteOffset: vectorsEntry.byteOffset + 8, reason: "element type \(elementType) is not 1 (Float16)")
        }
        guard FormatLayout.dimensionRange.contains(dimension) else {
            throw .malformedSection(section: .vectors, byteOffset: vectorsEntry.byteOffset + 4,
                                    reason: "dimension \(dimension) is outside \(FormatLayout.dimensionRange)")
        }
        // rowCount < 2^32 and dimension <= 2^16, so this cannot overflow.
        let valueBytes = VectorsSection.preludeByteCount + rowCount * dimension * 2
        guard vectorsEntry.storedByteCount == valueBytes else {
            throw .malformedSection(section: .vectors, byteOffset: vectorsEntry.byteOffset,
                                    reason: "\(rowCount) rows of \(dimension) Float16 values need \(valueBytes) bytes, the section has \(vectorsEntry.storedByteCount)")
        }
        vectors = try VectorMatrix(file: file, byteOffset: vectorsEntry.byteOffset + VectorsSection.preludeByteCount,
                                   rowCount: rowCount, dimension: dimension)

        let tableEntry = try Self.entry(.chunkTable, codec: .raw, in: sections)
        chunkCount = Int(try reader.uint32(at: tableEntry.byteOffset, in: .chunkTable))
        chunkRecordByteCount = Int(try reader.uint32(at: tableEntry.byteOffset + 4, in: .chunkTable))
        chunkTableRecordsOffset = tableEntry.byteOffset + 16
        // A newer minor version may append fields to each record; this build reads the first 48 bytes.
        guard chunkRecordByteCount >= ChunkRecord.byteCount, chunkRecordByteCount <= FormatLayout.maximumChunkRecordByteCount,
              chunkRecordByteCount % 8 == 0 else {
            throw .malformedSection(section: .chunkTable, byteOffset: tableEntry.byteOffset + 4,
                                    reason: "record size \(chunkRecordByteCount) is not a multiple of 8 in \(ChunkRecord.byteCount)...\(FormatLayout.maximumChunkRecordByteCount)")
        }
        // chunkCount < 2^32 and the record size <= 2^12, so this cannot overflow.
        let tableByteCount = 16 + chunkCount * chunkRecordByteCount
        guard tableEntry.storedByteCount == tableByteCount else {
            throw .malformedSection(section: .chunkTable, byteOffset: tableEntry.byteOffset,
                                    reason: "\(chunkCount) records of \(chunkRecordByteCount) bytes need \(tableByteCount) bytes, the section has \(tableEntry.storedByteCount)")
        }
        guard chunkCount == rowCount else {
            throw .malformedSection(section: .chunkTable, byteOffset: tableEntry.byteOffset,
                                    reason: "\(chunkCount) chunks but \(rowCount) vector rows")
        }
        chunkText = try LZ4BlockSection(entry: try Self.entry(.chunkText, codec: .lz4Blocks, in: sections), reader: reader)
    }

    // MARK: Verification

    /// Every section's XXH64 against the table, in file order; throws the first mismatch.
    /// Reads each section once: O(file size).
    public func verifySectionChecksums() throws(ArtifactError) {
        if let problem = try sectionChecksumProblems().first { throw problem }
    }

    /// Every section whose checksum does not match (empty when all do).
    public func sectionChecksumProblems() throws(ArtifactError) -> [ArtifactError] {
        try checkFileUnchanged()
        var problems: [ArtifactError] = []
        for entry in sections {
            let computed = try reader.xxh64(at: entry.byteOffset, length: entry.storedByteCount, in: entry.kind)
            if computed != entry.checksum {
                problems.append(.sectionChecksumMismatch(section: entry.kind, byteOffset: entry.byteOffset, stored: entry.checksum, computed: computed))
            }
        }
        return problems
    }

    /// The SHA-256 of every byte before the trailer against the trailer. O(file size).
    public func verifyDigest() throws(ArtifactError) {
        try checkFileUnchanged()
        let trailerOffset = Int(header.fileByteCount) - FormatLayout.trailerByteCount
        let stored = try reader.bytes(at: trailerOffset + 8, length: 32, in: .unknown(0))
        let computed = try reader.sha256(at: 0, length: trailerOffset, in: .unknown(0))
        guard stored == computed else { throw .digestMismatch(stored: stored.hexString, computed: computed.hexString) }
    }

    /// The trailer's SHA-256, as lower-case hexadecimal: the artifact's identity.
    public var digest: String {
        let trailerOffset = Int(header.fileByteCount) - FormatLayout.trailerByteCount
        return ((try? reader.bytes(at: trailerOffset + 8, length: 32, in: .unknown(0))) ?? []).hexString
    }

    /// Stops counting the mapped file as this process's resident memory until it is read again:
    /// after a verification pass touched every page, a large artifact would otherwise stay resident
    /// (956 MB for 1,000,000 chunks) though a search reads only the vectors and a few texts.
    public func releaseResidentPages() {
        file.releaseResidentPages()
    }

    /// Fails when the file on disk no longer has the size it had when mapped.
    public func checkFileUnchanged() throws(ArtifactError) {
        let current = file.currentByteCount()
        guard current == file.byteCount else {
            throw .fileChanged(path: file.path, openedByteCount: file.byteCount, currentByteCount: current)
        }
    }

    // MARK: Contents

    public func manifest() throws(ArtifactError) -> Manifest {
        try decodeJSON(Manifest.self, from: .manifest)
    }

    public func documents() throws(ArtifactError) -> [DocumentRecord] {
        // DocumentRecord spells out its keys; front-matter keys stay exactly as written.
        try decodeJSON([DocumentRecord].self, from: .documents, convertingSnakeCase: false)
    }

    /// Chunk `index`'s record, its text range checked against the chunk-text section.
    public func chunk(at index: Int) throws(ArtifactError) -> ChunkRecord {
        guard index >= 0, index < chunkCount else {
            throw .referenceOutOfRange(chunk: index, field: "chunk index", value: UInt64(max(0, index)), limit: UInt64(chunkCount))
        }
        let record = try ChunkRecord.decode(from: reader, at: chunkTableRecordsOffset + index * chunkRecordByteCount)
        guard record.textByteCount <= FormatLayout.maximumChunkTextByteCount else {
            throw .declaredSizeTooLarge(section: .chunkText, declared: UInt64(record.textByteCount), limit: FormatLayout.maximumChunkTextByteCount)
        }
        let (end, overflow) = record.textByteOffset.addingReportingOverflow(record.textByteCount)
        guard !overflow, end <= chunkText.rawByteCount else {
            throw .referenceOutOfRange(chunk: index, field: "text end", value: UInt64(record.textByteOffset) &+ UInt64(record.textByteCount),
                                       limit: UInt64(chunkText.rawByteCount) + 1)
        }
        return record
    }

    /// Chunk `index`'s text, decompressing only the blocks that hold it.
    public func chunkText(at index: Int) throws(ArtifactError) -> String {
        var cache = LZ4BlockSection.DecodedBlock()
        return try chunkText(at: index, reusing: &cache)
    }

    private func chunkText(at index: Int, reusing cache: inout LZ4BlockSection.DecodedBlock) throws(ArtifactError) -> String {
        let record = try chunk(at: index)
        let bytes = try chunkText.decompress(record.textByteOffset..<(record.textByteOffset + record.textByteCount), reusing: &cache)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedSection(section: .chunkText, byteOffset: chunkText.byteOffset,
                                    reason: "chunk \(index)'s text (raw bytes \(record.textByteOffset)..<\(record.textByteOffset + record.textByteCount)) is not valid UTF-8")
        }
        return text
    }

    /// Every chunk's text read once (each block decoded about once when texts are in order);
    /// returns the chunks whose text cannot be read or is not valid UTF-8.
    public func chunkTextProblems() -> [ArtifactError] {
        var cache = LZ4BlockSection.DecodedBlock()
        var problems: [ArtifactError] = []
        for index in 0..<chunkCount {
            do { _ = try chunkText(at: index, reusing: &cache) } catch { problems.append(error) }
        }
        return problems
    }

    /// Where chunk `index`'s record starts in the file (for messages).
    public func chunkRecordByteOffset(_ index: Int) -> Int {
        chunkTableRecordsOffset + index * chunkRecordByteCount
    }

    /// The decoded bytes of a section this module does not interpret (such as the lexicon), or nil
    /// when the artifact has none.
    public func sectionContents(_ kind: SectionKind) throws(ArtifactError) -> [UInt8]? {
        guard let entry = sections.first(where: { $0.kind == kind }) else { return nil }
        return try wholeSection(entry)
    }

    /// The BM25 lexicon, or nil when the artifact has none (format 1.0 files). A raw section is
    /// read in place; an lz4-blocks one is decoded once here (at most 256 MiB).
    public func lexicon() throws(ArtifactError) -> Lexicon? {
        guard let entry = sections.first(where: { $0.kind == .lexicon }) else { return nil }
        let bytes: LexiconBytes
        switch entry.codec {
        case .raw: bytes = LexiconBytes(mapped: file, base: entry.byteOffset, count: entry.storedByteCount)
        case .lz4Blocks: bytes = LexiconBytes(decoded: try wholeSection(entry), fileByteOffset: entry.byteOffset)
        }
        return try Lexicon(bytes: bytes, expectedChunkCount: chunkCount)
    }

    /// The token signatures for late-interaction re-ranking, or nil when the artifact has none
    /// (files before format 1.2). Read in place; opening checks its prelude and size.
    public func tokenSignatures() throws(ArtifactError) -> TokenSignatureTable? {
        guard let entry = sections.first(where: { $0.kind == .tokenSignatures }) else { return nil }
        return try TokenSignatureTable(file: file, entry: entry, expectedChunkCount: chunkCount, expectedDimension: vectors.dimension)
    }

    /// Every LZ4 block of every compressed section decoded once, to prove each decodes to its
    /// declared size; returns the problems found (empty when all decode).
    public func blockProblems() -> [ArtifactError] {
        var problems: [ArtifactError] = []
        for entry in sections where entry.codec == .lz4Blocks {
            do {
                let section = try LZ4BlockSection(entry: entry, reader: reader)
                for block in 0..<section.blockCount { _ = try section.decompressBlock(block) }
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    // MARK: Opening

    private static func readHeader(_ reader: ByteReader) throws(ArtifactError) -> FileHeader {
        let header = SectionKind.unknown(0)  // errors before the table name no section
        guard reader.count >= FormatLayout.magic.count else {
            throw .fileTooSmall(byteCount: reader.count, minimum: FormatLayout.minimumFileByteCount)
        }
        let magic = try reader.bytes(at: 0, length: 8, in: header)
        guard magic == FormatLayout.magic else {
            // "\r\n" became "\n" (or "\n" became "\r\n"): the first five bytes survive, the rest shift.
            if Array(magic.prefix(5)) == Array(FormatLayout.magic.prefix(5)) { throw .lineEndingDamage }
            throw .notAnArtifact(foundMagic: magic)
        }
        guard reader.count >= FormatLayout.headerByteCount else {
            throw .fileTooSmall(byteCount: reader.count, minimum: FormatLayout.minimumFileByteCount)
        }
        // Magic and major version sit at fixed places in every version; check the version before the
        // checksum so a future format is named as such rather than as damage.
        let major = try reader.uint16(at: 8, in: header)
        guard major == FormatLayout.majorVersion else {
            throw .unsupportedMajorVersion(found: major, supported: FormatLayout.majorVersion)
        }
        let stored = try reader.uint64(at: 56, in: header)
        let computed = try reader.xxh64(at: 0, length: 56, in: header)
        guard stored == computed else { throw .headerChecksumMismatch(stored: stored, computed: computed) }

        let fields = FileHeader(
            majorVersion: major,
            minorVersion: try reader.uint16(at: 10, in: header),
            headerByteCount: try reader.uint32(at: 12, in: header),
            fileByteCount: try reader.uint64(at: 16, in: header),
            sectionTableByteOffset: try reader.uint64(at: 24, in: header),
            sectionCount: try reader.uint32(at: 32, in: header),
            sectionEntryByteCount: try reader.uint32(at: 36, in: header),
            sectionTableChecksum: try reader.uint64(at: 40, in: header))
        guard fields.headerByteCount == UInt32(FormatLayout.headerByteCount) else {
            throw .invalidHeaderField(field: "header_byte_count", value: UInt64(fields.headerByteCount), expected: "64")
        }
        guard fields.sectionTableByteOffset == UInt64(FormatLayout.headerByteCount) else {
            throw .invalidHeaderField(field: "section_table_offset", value: fields.sectionTableByteOffset, expected: "64")
        }
        guard fields.sectionEntryByteCount == UInt32(FormatLayout.sectionEntryByteCount) else {
            throw .invalidHeaderField(field: "section_entry_byte_count", value: UInt64(fields.sectionEntryByteCount), expected: "64")
        }
        guard fields.sectionCount <= UInt32(FormatLayout.maximumSectionCount) else {
            throw .invalidHeaderField(field: "section_count", value: UInt64(fields.sectionCount), expected: "at most \(FormatLayout.maximumSectionCount)")
        }
        let minimum = FormatLayout.minimumFileByteCount + Int(fields.sectionCount) * FormatLayout.sectionEntryByteCount
        guard fields.fileByteCount >= UInt64(minimum), fields.fileByteCount <= UInt64(Int.max) else {
            throw .invalidHeaderField(field: "file_byte_count", value: fields.fileByteCount, expected: "at least \(minimum)")
        }
        let declared = Int(fields.fileByteCount)
        if reader.count < declared { throw .truncated(atByte: reader.count, expected: declared) }
        if reader.count > declared { throw .trailingBytes(byteCount: reader.count, declared: declared) }
        let trailer = try reader.bytes(at: declared - FormatLayout.trailerByteCount, length: 8, in: header)
        guard trailer == FormatLayout.trailerMagic else { throw .trailerMissing(byteOffset: declared - FormatLayout.trailerByteCount) }
        return fields
    }

    private static func readSectionTable(_ reader: ByteReader, header: FileHeader) throws(ArtifactError) -> [SectionEntry] {
        let tableOffset = FormatLayout.headerByteCount
        let count = Int(header.sectionCount)
        let tableByteCount = count * FormatLayout.sectionEntryByteCount
        let computed = try reader.xxh64(at: tableOffset, length: tableByteCount, in: .unknown(0))
        guard computed == header.sectionTableChecksum else {
            throw .sectionTableChecksumMismatch(stored: header.sectionTableChecksum, computed: computed)
        }

        let sectionsEnd = Int(header.fileByteCount) - FormatLayout.trailerByteCount
        var entries: [SectionEntry] = []
        var seen: Set<UInt32> = []
        var expectedOffset = FormatLayout.alignUp(tableOffset + tableByteCount)
        for index in 0..<count {
            let base = tableOffset + index * FormatLayout.sectionEntryByteCount
            let kind = SectionKind(rawValue: try reader.uint32(at: base, in: .unknown(0)))
            let codecValue = try reader.uint32(at: base + 4, in: kind)
            let offset = try reader.uint64(at: base + 8, in: kind)
            let stored = try reader.uint64(at: base + 16, in: kind)
            let raw = try reader.uint64(at: base + 24, in: kind)
            let checksum = try reader.uint64(at: base + 32, in: kind)

            guard seen.insert(kind.rawValue).inserted else { throw .duplicateSection(kind) }
            let codec = SectionCodec(rawValue: codecValue)
            if codec == nil, case .unknown = kind {} else if codec == nil {
                throw .invalidSectionEntry(index: index, section: kind, field: "codec", value: UInt64(codecValue), expected: "0 (raw) or 1 (lz4-blocks)")
            }
            guard offset == UInt64(expectedOffset) else {
                if offset > UInt64(sectionsEnd) {
                    throw .sectionOutOfBounds(section: kind, byteOffset: offset, byteCount: stored, fileByteCount: Int(header.fileByteCount))
                }
                throw .sectionMisplaced(section: kind, byteOffset: offset, expectedByteOffset: expectedOffset)
            }
            guard stored <= UInt64(sectionsEnd - expectedOffset) else {
                throw .sectionOutOfBounds(section: kind, byteOffset: offset, byteCount: stored, fileByteCount: Int(header.fileByteCount))
            }
            guard raw <= FormatLayout.maximumRawSectionByteCount else {
                throw .declaredSizeTooLarge(section: kind, declared: raw, limit: Int(FormatLayout.maximumRawSectionByteCount))
            }
            if codec == .raw, raw != stored {
                throw .invalidSectionEntry(index: index, section: kind, field: "raw_byte_count", value: raw, expected: "\(stored), the stored size of a raw section")
            }
            let entry = SectionEntry(kind: kind, codec: codec ?? .raw, byteOffset: Int(offset), storedByteCount: Int(stored),
                                     rawByteCount: Int(raw), checksum: checksum)
            entries.append(entry)
            expectedOffset = FormatLayout.alignUp(entry.byteRange.upperBound)
        }
        let lastEnd = entries.last?.byteRange.upperBound ?? (tableOffset + tableByteCount)
        guard lastEnd == sectionsEnd else {
            throw .malformedSection(section: entries.last?.kind ?? .unknown(0), byteOffset: lastEnd,
                                    reason: "the last section ends at byte \(lastEnd) but the trailer starts at byte \(sectionsEnd)")
        }
        for kind in SectionKind.required where !seen.contains(kind.rawValue) { throw .missingSection(kind) }
        return entries
    }

    private static func entry(_ kind: SectionKind, codec: SectionCodec, in sections: [SectionEntry]) throws(ArtifactError) -> SectionEntry {
        guard let entry = sections.first(where: { $0.kind == kind }) else { throw .missingSection(kind) }
        guard entry.codec == codec else {
            let index = sections.firstIndex(of: entry) ?? 0
            throw .invalidSectionEntry(index: index, section: kind, field: "codec", value: UInt64(entry.codec.rawValue), expected: "\(codec.rawValue) (\(codec))")
        }
        return entry
    }

    private func wholeSection(_ entry: SectionEntry) throws(ArtifactError) -> [UInt8] {
        switch entry.codec {
        case .raw:
            guard entry.storedByteCount <= FormatLayout.maximumWholeSectionByteCount else {
                throw .declaredSizeTooLarge(section: entry.kind, declared: UInt64(entry.storedByteCount), limit: FormatLayout.maximumWholeSectionByteCount)
            }
            return try reader.bytes(at: entry.byteOffset, length: entry.storedByteCount, in: entry.kind)
        case .lz4Blocks:
            return try LZ4BlockSection(entry: entry, reader: reader).decompressAll()
        }
    }

    private func decodeJSON<Value: Decodable>(_ type: Value.Type, from kind: SectionKind,
                                              convertingSnakeCase: Bool = true) throws(ArtifactError) -> Value {
        guard let entry = sections.first(where: { $0.kind == kind }) else { throw .missingSection(kind) }
        let bytes = try wholeSection(entry)
        let decoder = JSONDecoder()
        if convertingSnakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do {
            return try decoder.decode(Value.self, from: Data(bytes))
        } catch {
            throw .malformedSection(section: kind, byteOffset: entry.byteOffset, reason: "not the expected JSON (\(error))")
        }
    }
}
