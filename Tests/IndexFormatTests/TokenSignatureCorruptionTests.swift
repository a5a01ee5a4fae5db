import Testing
import IndexFormat
import TestSupport

/// The token-signatures section's own checks: a section whose checksum is right but whose contents
/// are wrong is refused with an error naming the section, at open or at the read that meets the
/// damage, never a crash or a read outside the section.
@Suite struct TokenSignatureCorruptionTests {
    /// The golden section (dimension 4, 3 chunks, 6 tokens, 6 frequencies): prelude 64 bytes,
    /// frequencies 24 bytes at 64, token starts 4 × 8 at 88, signatures 6 × 8 at 120; 168 bytes.
    static func rawSection() -> [UInt8] { GoldenArtifactTests.tinyTokenSignatures().storedBytes }

    static func reader(section bytes: [UInt8], codec: SectionCodec = .raw) throws -> ArtifactReader {
        var contents = GoldenArtifactTests.tinyContents()
        contents.additionalSections = [codec == .raw ? .raw(.tokenSignatures, bytes) : .lz4Blocks(.tokenSignatures, bytes)]
        return try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<MemoryLayout<T>.size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    static func isSignatureError(_ error: any Error) -> Bool {
        if case .malformedSection(let section, _, _) = error as? ArtifactError { return section == .tokenSignatures }
        return false
    }

    @Test func theGoldenSectionHasTheDocumentedLayout() throws {
        let bytes = Self.rawSection()
        #expect(bytes.count == 64 + 24 + 32 + 48)
        let table = try #require(try Self.reader(section: bytes).tokenSignatures())
        #expect(table.chunkCount == 3 && table.dimension == 4 && table.tokenCount == 6)
        #expect(try (0..<3).map { try table.tokenRange(ofChunk: $0) } == [0..<2, 2..<3, 3..<6])
        #expect(try table.signatures(ofChunk: 0) == [0b0011, 0b1010])
        #expect(try (0..<6).map { try table.documentFrequency(ofPiece: Int32($0)) } == [0, 3, 1, 2, 0, 1])
        #expect(try table.documentFrequency(ofPiece: -1) == 0)
        #expect(table.structureProblems().isEmpty)
        #expect(throws: ArtifactError.self) { try table.signatures(ofChunk: 3) }
    }

    static func damageAtOpen(_ name: String, _ b: inout [UInt8]) {
        switch name {
        case "a byte cut from the end": b.removeLast()
        case "a word added at the end": b += [UInt8](repeating: 0, count: 8)
        case "another chunk count": put(UInt32(4), at: 0, in: &b)
        case "another dimension": put(UInt32(5), at: 4, in: &b)
        case "words per token off": put(UInt32(2), at: 8, in: &b)
        case "an empty frequency table": put(UInt32(0), at: 12, in: &b)
        case "a token count near 2^64": put(UInt64.max - 3, at: 16, in: &b)
        default: put(UInt64(7), at: 16, in: &b)   // one token more than stored
        }
    }

    @Test(arguments: ["a byte cut from the end", "a word added at the end", "another chunk count", "another dimension",
                      "words per token off", "an empty frequency table", "a token count near 2^64", "a token count off by one"])
    func openingRefuses(_ name: String) throws {
        var bytes = Self.rawSection()
        Self.damageAtOpen(name, &bytes)
        let reader = try Self.reader(section: bytes)
        do {
            _ = try reader.tokenSignatures()
            Issue.record("\(name): opened")
        } catch {
            #expect(Self.isSignatureError(error), "\(name): \(error)")
        }
        // The daemon's retrieval refuses the artifact rather than searching with a broken section.
        #expect((try? reader.tokenSignatures()) == nil)
    }

    @Test func aCompressedSectionIsRefusedBecauseItCannotBeReadInPlace() throws {
        let reader = try Self.reader(section: Self.rawSection(), codec: .lz4Blocks)
        do { _ = try reader.tokenSignatures(); Issue.record("opened") } catch { #expect(Self.isSignatureError(error), "\(error)") }
    }

    @Test func tokenStartsThatGoBackAreRefusedWhenTheChunkIsReadAndInFullVerification() throws {
        var bytes = Self.rawSection()
        Self.put(UInt64(1), at: 88 + 16, in: &bytes)   // chunk 1 would be 2..<1
        let table = try #require(try Self.reader(section: bytes).tokenSignatures())
        #expect(try table.signatures(ofChunk: 0) == [0b0011, 0b1010], "an undamaged chunk still reads")
        do { _ = try table.signatures(ofChunk: 1); Issue.record("read") } catch { #expect(Self.isSignatureError(error), "\(error)") }
        #expect(table.structureProblems().count == 1)
    }

    @Test func aStartPastTheTokensIsRefused() throws {
        var bytes = Self.rawSection()
        Self.put(UInt64(9), at: 88 + 24, in: &bytes)   // the last start above token_count
        let table = try #require(try Self.reader(section: bytes).tokenSignatures())
        do { _ = try table.signatures(ofChunk: 2); Issue.record("read") } catch { #expect(Self.isSignatureError(error), "\(error)") }
        #expect(!table.structureProblems().isEmpty)
    }

    @Test func fullVerificationFindsAFrequencyAboveTheChunkCountAndBitsPastTheDimension() throws {
        var frequency = Self.rawSection()
        Self.put(UInt32(4), at: 64 + 4, in: &frequency)
        #expect(try #require(try Self.reader(section: frequency).tokenSignatures()).structureProblems().count == 1)
        var bits = Self.rawSection()
        Self.put(UInt64(0b1_0000), at: 120 + 8, in: &bits)   // bit 4 of a 4-bit signature
        let problems = try #require(try Self.reader(section: bits).tokenSignatures()).structureProblems()
        #expect(problems.count == 1 && problems.allSatisfy(Self.isSignatureError), "\(problems)")
    }

    @Test func policyVerifysFullCheckReportsTheDamage() throws {
        var bytes = Self.rawSection()
        Self.put(UInt32(4), at: 64 + 4, in: &bytes)
        let folder = try TemporaryDirectory("signatures")
        var contents = GoldenArtifactTests.tinyContents()
        contents.additionalSections = [.raw(.tokenSignatures, bytes)]
        try ArtifactWriter.write(contents, to: folder.path("damaged.pidx"))
        let report = ArtifactVerifier.verify(path: folder.path("damaged.pidx"))
        #expect(report.problems.contains(where: Self.isSignatureError), "\(report.problems)")
        #expect(report.problems.count == 1, "\(report.problems)")
    }

    @Test func theWriterRefusesSignaturesThatAreNotWholeTokens() {
        #expect(throws: ArtifactError.self) {
            try TokenSignatureSection.payload(dimension: 128, documentFrequencies: [1], chunks: [[1, 2, 3]])
        }
        #expect(throws: ArtifactError.self) {
            try TokenSignatureSection.payload(dimension: 4, documentFrequencies: [], chunks: [[1]])
        }
    }
}
