import Testing
import IndexFormat
import TestSupport

/// The lexicon section's own checks: a lexicon whose section checksum is right but whose contents
/// are wrong (a writer bug, or damage before the checksum was taken) is refused with an error that
/// names the lexicon, never a crash or a read outside the section.
@Suite struct LexiconCorruptionTests {
    /// The golden lexicon's raw bytes: prelude 64, lengths 3 × 4 at 64, entries 10 × 12 at 76,
    /// strings at 196, postings after them.
    static func rawLexicon() -> [UInt8] { GoldenArtifactTests.tinyLexicon().storedBytes }

    static func reader(lexicon bytes: [UInt8]) throws -> ArtifactReader {
        var contents = GoldenArtifactTests.tinyContents()
        contents.additionalSections = [.raw(.lexicon, bytes)]
        return try ArtifactReader(bytes: try ArtifactWriter.encode(contents))
    }

    static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    static func isLexiconError(_ error: any Error) -> Bool {
        if case .malformedSection(let section, _, _) = error as? ArtifactError { return section == .lexicon }
        return false
    }

    @Test func theGoldenLexiconReadsAndChecksOut() throws {
        let lexicon = try #require(try Self.reader(lexicon: Self.rawLexicon()).lexicon())
        #expect(lexicon.termCount == 10 && lexicon.chunkCount == 3 && lexicon.totalTermCount == 310)
        #expect(lexicon.problems().isEmpty)
        #expect(try (0..<10).map { try lexicon.term(at: $0) } == ["14", "75", "book", "cafe", "diem", "mfa", "navan", "password", "per", "travel"])
    }

    @Test func aLexiconForAnotherChunkCountIsRefusedAtOpen() throws {
        var bytes = Self.rawLexicon()
        Self.put(4, at: 4, in: &bytes)
        #expect(throws: (any Error).self) { try Self.reader(lexicon: bytes).lexicon() }
        #expect((try? Self.reader(lexicon: bytes).lexicon()) == nil)
        do { _ = try Self.reader(lexicon: bytes).lexicon() } catch { #expect(Self.isLexiconError(error), "\(error)") }
    }

    /// Damage to the prelude or the section's size, caught when the lexicon is opened.
    static func damageAtOpen(_ name: String, _ b: inout [UInt8]) {
        switch name {
        case "a byte cut from the end": b.removeLast()
        case "a byte added at the end": b.append(0)
        case "strings size above the section": put(0xFFFF_FFF0, at: 32, in: &b)
        case "postings size off by one": put(UInt32(b[40]) + 1, at: 40, in: &b)
        case "k1 not a number": put(Float.nan.bitPattern, at: 12, in: &b)
        case "b above 1": put(Float(2).bitPattern, at: 16, in: &b)
        default: put(0xFFFF_FFFF, at: 8, in: &b)  // term count far too large
        }
    }

    @Test(arguments: ["a byte cut from the end", "a byte added at the end", "strings size above the section", "postings size off by one",
                      "k1 not a number", "b above 1", "term count far too large"])
    func openingRefuses(_ name: String) throws {
        var bytes = Self.rawLexicon()
        Self.damageAtOpen(name, &bytes)
        let reader = try Self.reader(lexicon: bytes)
        do {
            _ = try reader.lexicon()
            Issue.record("\(name): opened")
        } catch {
            #expect(Self.isLexiconError(error), "\(name): \(error)")
        }
    }

    /// Damage to the dictionary or the postings, caught when they are read.
    static func damageInside(_ name: String, _ b: inout [UInt8]) {
        switch name {
        case "a string end past the strings": put(0xFFFF, at: 76, in: &b)
        case "string ends going backwards": put(0, at: 76 + 12, in: &b)
        case "a postings end past the postings": put(0xFFFF, at: 76 + 12 * 8 + 8, in: &b)
        case "a document frequency above the bytes": put(1000, at: 76 + 12 * 8 + 4, in: &b)
        case "a posting for a chunk out of range": b[b.count - 2] = 9
        case "a varint that never ends": b[b.count - 1] = 0x80
        default: b[b.count - 1] = 0  // a zero term frequency
        }
    }

    @Test(arguments: ["a string end past the strings", "string ends going backwards", "a postings end past the postings",
                      "a document frequency above the bytes", "a posting for a chunk out of range", "a varint that never ends",
                      "a zero term frequency"])
    func readingRefuses(_ name: String) throws {
        var bytes = Self.rawLexicon()
        Self.damageInside(name, &bytes)
        let lexicon = try #require(try Self.reader(lexicon: bytes).lexicon())
        let problems = lexicon.problems()
        #expect(!problems.isEmpty, "\(name)")
        #expect(problems.allSatisfy { Self.isLexiconError($0) }, "\(name): \(problems)")
    }

    @Test func chunkLengthsThatDisagreeWithTheirTermsAreProblems() throws {
        var bytes = Self.rawLexicon()
        Self.put(4, at: 64, in: &bytes)  // chunk 0's length 3 → 4
        let lexicon = try #require(try Self.reader(lexicon: bytes).lexicon())
        #expect(lexicon.problems().count == 2)  // the length and the total
    }

    @Test func aFlippedByteFailsTheLexiconChecksum() throws {
        var file = try ArtifactWriter.encode(GoldenArtifactTests.tinyContents())
        let reader = try ArtifactReader(bytes: file)
        let entry = try #require(reader.sections.first { $0.kind == .lexicon })
        file[entry.byteOffset + 70] ^= 0x01
        #expect(throws: ArtifactError.self) { try ArtifactReader(bytes: file).verifySectionChecksums() }
        let problems = try ArtifactReader(bytes: file).sectionChecksumProblems()
        #expect(problems.count == 1)
        if case .sectionChecksumMismatch(let section, _, _, _) = problems.first { #expect(section == .lexicon) } else { Issue.record("\(problems)") }
    }

    /// Seeded random damage anywhere in the lexicon: every outcome is a value or a lexicon error.
    @Test func randomDamageNeverCrashes() throws {
        var random = SeededGenerator(seed: 77)
        let clean = Self.rawLexicon()
        for _ in 0..<300 {
            var bytes = clean
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            guard let reader = try? Self.reader(lexicon: bytes) else { continue }
            do {
                guard let lexicon = try reader.lexicon() else { continue }
                _ = lexicon.problems()
                for term in ["per", "mfa", "zzz", "14"] {
                    if let index = try lexicon.index(of: term) { _ = try lexicon.postings(ofTermAt: index) }
                }
            } catch {
                #expect(Self.isLexiconError(error), "\(error)")
            }
        }
    }
}
