import Foundation
import Testing
import IndexFormat
import TestSupport

/// Damaged and hostile artifacts. Each case expects one specific `ArtifactError`: never a crash, a
/// hang, or an allocation sized by the file.
@Suite struct ArtifactCorruptionTests {
    // MARK: The header

    @Test func emptyFileIsTooSmall() {
        #expect(throws: ArtifactError.fileTooSmall(byteCount: 0, minimum: 104)) { try ArtifactReader(bytes: []) }
    }

    @Test func wrongMagicIsNotAnArtifact() throws {
        var artifact = try ArtifactBytes.small()
        artifact.bytes[1] = UInt8(ascii: "Q")
        #expect(throws: ArtifactError.notAnArtifact(foundMagic: [0x89, 0x51, 0x49, 0x44, 0x58, 0x0D, 0x0A, 0x1A])) { try artifact.open() }
        #expect(throws: ArtifactError.notAnArtifact(foundMagic: Array("# Travel".utf8))) { try ArtifactReader(bytes: Array("# Travel Policy\n".utf8)) }
    }

    @Test func lineEndingConversionIsNamed() throws {
        let artifact = try ArtifactBytes.small()
        var unixToDos = artifact.bytes
        unixToDos.insert(0x0D, at: 6)   // "\n" became "\r\n"
        var dosToUnix = artifact.bytes
        dosToUnix.remove(at: 5)         // "\r\n" became "\n"
        #expect(throws: ArtifactError.lineEndingDamage) { try ArtifactReader(bytes: unixToDos) }
        #expect(throws: ArtifactError.lineEndingDamage) { try ArtifactReader(bytes: dosToUnix) }
    }

    @Test func futureMajorVersionIsRefusedByName() throws {
        var artifact = try ArtifactBytes.small()
        artifact.set(UInt16(2), at: 8)
        #expect(throws: ArtifactError.unsupportedMajorVersion(found: 2, supported: 1)) { try artifact.open() }
        #expect(ArtifactError.unsupportedMajorVersion(found: 2, supported: 1).description.contains("rebuild the artifact"))
    }

    @Test func newerMinorVersionIsRead() throws {
        var artifact = try ArtifactBytes.small()
        artifact.set(UInt16(7), at: 10)
        artifact.resealHeaderAndTable()
        let reader = try artifact.open()
        #expect(reader.header.minorVersion == 7)
        #expect(reader.chunkCount == 3)
    }

    /// Any change to bytes 8..<64 (past the version) is caught by the header checksum.
    @Test func everyHeaderByteIsCoveredByTheChecksum() throws {
        let original = try ArtifactBytes.small()
        for offset in 10..<64 {
            var artifact = original
            artifact.flipBit(at: offset)
            #expect(throws: ArtifactError.self, "byte \(offset)") { try artifact.open() }
            do { _ = try artifact.open() } catch {
                guard case .headerChecksumMismatch = error else { Issue.record("byte \(offset): \(error)"); continue }
            }
        }
    }

    @Test func forgedHeaderFieldsAreCheckedOneByOne() throws {
        let original = try ArtifactBytes.small()
        let fileByteCount = original.bytes.count
        func forged(_ change: (inout ArtifactBytes) -> Void) -> ArtifactBytes {
            var artifact = original
            change(&artifact)
            artifact.resealHeaderAndTable()
            return artifact
        }
        #expect(throws: ArtifactError.invalidHeaderField(field: "header_byte_count", value: 128, expected: "64")) {
            try forged { $0.set(UInt32(128), at: 12) }.open()
        }
        #expect(throws: ArtifactError.truncated(atByte: fileByteCount, expected: fileByteCount + 64)) {
            try forged { $0.set(UInt64(fileByteCount + 64), at: 16) }.open()
        }
        #expect(throws: ArtifactError.trailingBytes(byteCount: fileByteCount, declared: fileByteCount - 64)) {
            try forged { $0.set(UInt64(fileByteCount - 64), at: 16) }.open()
        }
        #expect(throws: ArtifactError.invalidHeaderField(field: "file_byte_count", value: UInt64.max, expected: "at least 424")) {
            try forged { $0.set(UInt64.max, at: 16) }.open()
        }
        #expect(throws: ArtifactError.invalidHeaderField(field: "section_table_offset", value: 4096, expected: "64")) {
            try forged { $0.set(UInt64(4096), at: 24) }.open()
        }
        #expect(throws: ArtifactError.invalidHeaderField(field: "section_count", value: UInt64(UInt32.max), expected: "at most 1024")) {
            try forged { $0.set(UInt32.max, at: 32) }.open()
        }
        #expect(throws: ArtifactError.invalidHeaderField(field: "section_entry_byte_count", value: 32, expected: "64")) {
            try forged { $0.set(UInt32(32), at: 36) }.open()
        }
    }

    // MARK: Truncation

    @Test func truncationAnywhereIsReportedWithItsPosition() throws {
        let artifact = try ArtifactBytes.small()
        let full = artifact.bytes.count
        var cuts = [1, 7, 8, 9, 63, 64, 65, 100, 64 + 64 * artifact.sectionCount, full - 40, full - 39, full - 1]
        for kind in [SectionKind.manifest, .documents, .chunkTable, .chunkText, .vectors] {
            let start = artifact.sectionOffset(kind)
            cuts += [start, start + 1, start + artifact.sectionStoredByteCount(kind) / 2]
        }
        for cut in cuts {
            let expected: ArtifactError = cut < 64 ? .fileTooSmall(byteCount: cut, minimum: 104) : .truncated(atByte: cut, expected: full)
            #expect(throws: expected, "cut at \(cut)") { try ArtifactReader(bytes: Array(artifact.bytes[..<cut])) }
        }
    }

    // MARK: The section table

    @Test func damagedSectionTableFailsItsChecksum() throws {
        var artifact = try ArtifactBytes.small()
        let stored = artifact.uint64(at: 40)
        artifact.flipBit(at: 64 + 64 + 9)
        do {
            _ = try artifact.open()
            Issue.record("opened a damaged table")
        } catch {
            guard case .sectionTableChecksumMismatch(let found, _) = error else { Issue.record("\(error)"); return }
            #expect(found == stored)
        }
    }

    @Test func forgedSectionEntriesAreCheckedOneByOne() throws {
        let original = try ArtifactBytes.small()
        let fileByteCount = original.bytes.count
        let last = original.sectionCount - 1
        func forged(_ change: (inout ArtifactBytes) -> Void) -> ArtifactBytes {
            var artifact = original
            change(&artifact)
            artifact.resealHeaderAndTable()
            return artifact
        }
        let lastKind = SectionKind(rawValue: original.uint32(at: original.entryOffset(last)))
        let lastOffset = original.uint64(at: original.entryOffset(last) + 8)
        let secondOffset = Int(original.uint64(at: original.entryOffset(1) + 8))
        let secondKind = SectionKind(rawValue: original.uint32(at: original.entryOffset(1)))
        let firstOffset = original.uint64(at: original.entryOffset(0) + 8)

        // Pointing past the end of the file.
        #expect(throws: ArtifactError.sectionOutOfBounds(section: lastKind, byteOffset: 1 << 40, byteCount: original.uint64(at: original.entryOffset(last) + 16), fileByteCount: fileByteCount)) {
            try forged { $0.set(UInt64(1 << 40), at: $0.entryOffset(last) + 8) }.open()
        }
        // A length near UInt64.max.
        #expect(throws: ArtifactError.sectionOutOfBounds(section: lastKind, byteOffset: lastOffset, byteCount: UInt64.max - 3, fileByteCount: fileByteCount)) {
            try forged { $0.set(UInt64.max - 3, at: $0.entryOffset(last) + 16) }.open()
        }
        // Misaligned, and overlapping its predecessor.
        #expect(throws: ArtifactError.sectionMisplaced(section: secondKind, byteOffset: UInt64(secondOffset + 8), expectedByteOffset: secondOffset)) {
            try forged { $0.set(UInt64(secondOffset + 8), at: $0.entryOffset(1) + 8) }.open()
        }
        #expect(throws: ArtifactError.sectionMisplaced(section: secondKind, byteOffset: firstOffset, expectedByteOffset: secondOffset)) {
            try forged { $0.set(firstOffset, at: $0.entryOffset(1) + 8) }.open()
        }
        // A raw size that would overflow Int.
        #expect(throws: ArtifactError.declaredSizeTooLarge(section: .manifest, declared: UInt64.max, limit: 1 << 40)) {
            try forged { $0.set(UInt64.max, at: $0.entryOffset($0.sectionIndex(.manifest)) + 24) }.open()
        }
        // A raw section whose raw size differs from its stored size.
        let tableIndex = original.sectionIndex(.chunkTable)
        let tableStored = original.uint64(at: original.entryOffset(tableIndex) + 16)
        #expect(throws: ArtifactError.invalidSectionEntry(index: tableIndex, section: .chunkTable, field: "raw_byte_count", value: tableStored + 1, expected: "\(tableStored), the stored size of a raw section")) {
            try forged { $0.set(tableStored + 1, at: $0.entryOffset(tableIndex) + 24) }.open()
        }
        // An unknown codec on a known section.
        #expect(throws: ArtifactError.invalidSectionEntry(index: 0, section: .manifest, field: "codec", value: 9, expected: "0 (raw) or 1 (lz4-blocks)")) {
            try forged { $0.set(UInt32(9), at: $0.entryOffset(0) + 4) }.open()
        }
        // The same kind twice, and a required kind missing.
        #expect(throws: ArtifactError.duplicateSection(.manifest)) {
            try forged { $0.set(SectionKind.manifest.rawValue, at: $0.entryOffset(1)) }.open()
        }
        #expect(throws: ArtifactError.missingSection(.documents)) {
            try forged { $0.set(UInt32(99), at: $0.entryOffset($0.sectionIndex(.documents))) }.open()
        }
    }

    // MARK: Section contents

    @Test(arguments: [SectionKind.manifest, .documents, .chunkTable, .chunkText, .vectors])
    func bitFlipInsideASectionFailsThatSectionsChecksum(kind: SectionKind) throws {
        var artifact = try ArtifactBytes.small()
        let offset = artifact.sectionOffset(kind) + artifact.sectionStoredByteCount(kind) - 3  // past every prelude
        artifact.flipBit(at: offset)
        let reader = try artifact.open()   // opening reads no section body
        do {
            try reader.verifySectionChecksums()
            Issue.record("checksums passed")
        } catch {
            guard case .sectionChecksumMismatch(let section, let byteOffset, _, _) = error else { Issue.record("\(error)"); return }
            #expect(section == kind)
            #expect(byteOffset == artifact.sectionOffset(kind))
        }
        #expect(throws: ArtifactError.self) { try reader.verifyDigest() }
    }

    @Test func hugeDeclaredBlockSizeIsRefusedBeforeAllocating() throws {
        var artifact = try ArtifactBytes.small()
        artifact.set(UInt32.max, at: artifact.sectionOffset(.chunkText) + 4)
        #expect(throws: ArtifactError.declaredSizeTooLarge(section: .chunkText, declared: UInt64(UInt32.max), limit: 4 << 20)) { try artifact.open() }
    }

    @Test func inflatedRawSizeNoLongerMatchesTheBlockCount() throws {
        var artifact = try ArtifactBytes.small()
        let entry = artifact.entryOffset(artifact.sectionIndex(.chunkText))
        artifact.set(UInt64(1 << 39), at: entry + 24)
        artifact.resealHeaderAndTable()
        do {
            _ = try artifact.open()
            Issue.record("opened")
        } catch {
            guard case .malformedSection(.chunkText, _, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("blocks cannot hold"))
        }
    }

    @Test func damagedCompressedBlockIsReportedWhenRead() throws {
        var artifact = try ArtifactBytes.small()
        let start = artifact.sectionOffset(.chunkText)
        let dataStart = Int(artifact.uint64(at: start + 8))
        // Claim the block holds fewer stored bytes than it does: LZ4 then cannot fill the raw size.
        artifact.set(UInt64(dataStart + 5), at: start + 16)   // blockEnds[1]
        let reader = try artifact.open()
        #expect(throws: ArtifactError.self) { try reader.chunkText(at: 0) }
        let problems = reader.blockProblems()
        #expect(problems.count == 1)
        if case .malformedSection(.chunkText, _, let reason)? = problems.first {
            #expect(reason.contains("block 0 spans"))
        } else if case .corruptCompressedData(.chunkText, 0, _)? = problems.first {
        } else {
            Issue.record("unexpected \(problems)")
        }
    }

    @Test func garbageInACompressedBlockIsCorruptData() throws {
        var artifact = try ArtifactBytes.small()
        let start = artifact.sectionOffset(.chunkText)
        let dataStart = Int(artifact.uint64(at: start + 8))
        for offset in (start + dataStart)..<(start + artifact.sectionStoredByteCount(.chunkText)) { artifact.bytes[offset] = 0xFF }
        let reader = try artifact.open()
        #expect(throws: ArtifactError.corruptCompressedData(section: .chunkText, block: 0, byteOffset: start + dataStart)) { try reader.chunkText(at: 0) }
    }

    @Test func chunkTextRangePastTheSectionIsOutOfRange() throws {
        var artifact = try ArtifactBytes.small()
        let record = artifact.sectionOffset(.chunkTable) + 16 + 48   // chunk 1
        artifact.set(UInt64(1 << 33), at: record + 16)
        let reader = try artifact.open()
        do {
            _ = try reader.chunk(at: 1)
            Issue.record("read an out-of-range record")
        } catch {
            guard case .referenceOutOfRange(chunk: 1, field: "text end", _, _) = error else { Issue.record("\(error)"); return }
        }
        #expect(throws: ArtifactError.referenceOutOfRange(chunk: 3, field: "chunk index", value: 3, limit: 3)) { try reader.chunk(at: 3) }
        #expect(throws: ArtifactError.referenceOutOfRange(chunk: -1, field: "chunk index", value: 0, limit: 3)) { try reader.chunk(at: -1) }
    }

    @Test func chunkTextStartingInsideACharacterIsFoundByFullVerification() throws {
        let contents = GoldenArtifactTests.tinyContents()
        var artifact = ArtifactBytes(bytes: try ArtifactWriter.encode(contents))
        let text = Array(contents.chunks[2].text.utf8)
        let kanji = Array("東".utf8)
        let start = (0...(text.count - kanji.count)).first { Array(text[$0..<($0 + kanji.count)]) == kanji }!
        let chunkStart = contents.chunks[0].text.utf8.count + contents.chunks[1].text.utf8.count
        let record = artifact.sectionOffset(.chunkTable) + 16 + 2 * 48
        artifact.set(UInt64(chunkStart + start + 1), at: record + 16)          // second byte of 東
        artifact.set(UInt32(text.count - start - 1), at: record + 24)
        let reader = try artifact.open()
        let problems = reader.chunkTextProblems()
        #expect(problems.count == 1)
        guard case .malformedSection(.chunkText, _, let reason)? = problems.first else { Issue.record("\(problems)"); return }
        #expect(reason.contains("chunk 2's text"))
        #expect(reason.contains("not valid UTF-8"))
        #expect(throws: ArtifactError.self) { try reader.chunkText(at: 2) }
        #expect(try reader.chunkText(at: 1) == contents.chunks[1].text)
    }

    @Test func vectorPreludeDisagreeingWithTheSectionSizeIsMalformed() throws {
        var artifact = try ArtifactBytes.small()
        artifact.set(UInt32(1_000_000), at: artifact.sectionOffset(.vectors) + 4)   // dimension
        do {
            _ = try artifact.open()
            Issue.record("opened")
        } catch {
            guard case .malformedSection(.vectors, _, _) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func unknownSectionsOfANewerMinorVersionAreSkipped() throws {
        var contents = SyntheticArtifact.contents(chunkCount: 3, dimension: 8, seed: 2)
        contents.additionalSections = [.raw(.unknown(77), Array("future".utf8)), .lz4Blocks(.lexicon, Array(repeating: 7, count: 1000))]
        let reader = try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
        try reader.verifySectionChecksums()
        #expect(try reader.sectionContents(.unknown(77)) == Array("future".utf8))
        #expect(try reader.sectionContents(.lexicon) == Array(repeating: 7, count: 1000))
        #expect(try reader.sectionContents(.unknown(78)) == nil)
    }

    // MARK: The file itself

    @Test func directoryIsNotARegularFile() throws {
        let folder = try TemporaryDirectory()
        #expect(throws: ArtifactError.notARegularFile(path: folder.url.path)) { try ArtifactReader(path: folder.url.path) }
    }

    @Test func missingFileCannotBeOpened() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("absent.pidx")
        #expect(throws: ArtifactError.cannotOpen(path: path, reason: "No such file or directory")) { try ArtifactReader(path: path) }
    }

    @Test func fileThatChangesSizeAfterOpeningIsNoticed() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("index.pidx")
        try ArtifactWriter.write(SyntheticArtifact.contents(chunkCount: 3, dimension: 8, seed: 4), to: path)
        let reader = try ArtifactReader(path: path)
        let size = reader.header.fileByteCount
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1, 2, 3]))
        try handle.close()
        #expect(throws: ArtifactError.fileChanged(path: path, openedByteCount: Int(size), currentByteCount: Int(size) + 3)) {
            try reader.verifySectionChecksums()
        }
        #expect(throws: ArtifactError.trailingBytes(byteCount: Int(size) + 3, declared: Int(size))) { try ArtifactReader(path: path) }
    }

    @Test func writerReplacesAFileAtomicallyLeavingNoTemporaryFile() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("index.pidx")
        try ArtifactWriter.write(SyntheticArtifact.contents(chunkCount: 3, dimension: 8, seed: 1), to: path)
        let old = try ArtifactReader(path: path)
        try ArtifactWriter.write(SyntheticArtifact.contents(chunkCount: 5, dimension: 8, seed: 2), to: path)
        // The old mapping still reads the old file; a new reader sees the new one.
        #expect(old.chunkCount == 3)
        try old.verifySectionChecksums()
        #expect(try ArtifactReader(path: path).chunkCount == 5)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }
}
