import Foundation
import Testing
import IndexFormat
import TestSupport

/// A tiny artifact committed byte for byte (`Fixtures/tiny-v1.2.pidx`; `tiny-v1.0.pidx` is the
/// 1.0 release, without a lexicon, and `tiny-v1.1.pidx` the 1.1 release, without token
/// signatures). Any change to the writer's
/// output shows up here as a reviewed diff; every released format version keeps its fixture, which
/// the reader must go on opening. Re-record with `tools/golden/record-artifact-fixture.sh`.
@Suite struct GoldenArtifactTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Contents built from exact values only (no random numbers, no libm), so they are the same
    /// on every machine and Swift version.
    static func tinyContents() -> ArtifactContents {
        let documents = [
            DocumentRecord(path: "hr/travel.md", title: "Travel Policy", sha256: String(repeating: "1", count: 64),
                           metadata: ["owner": "People Operations", "version": "4.1", "effective": "2026-03-01"],
                           outline: [.init(level: 1, headingPath: ["Travel Policy"], sourceCharacterStart: 0, sourceCharacterEnd: 120),
                                     .init(level: 2, headingPath: ["Travel Policy", "Per Diem"], sourceCharacterStart: 40, sourceCharacterEnd: 120)]),
            DocumentRecord(path: "security/passwords.md", title: "Passwords and MFA", sha256: String(repeating: "2", count: 64),
                           metadata: [:], outline: [.init(level: 1, headingPath: ["Passwords and MFA"], sourceCharacterStart: 0, sourceCharacterEnd: 64)]),
        ]
        let chunks = [
            ChunkInput(id: 0x0123_4567_89AB_CDEF, documentIndex: 0, outlineIndex: 0, text: "Book travel through Navan.", tokenCount: 6, sourceCharacterRange: 0..<40),
            ChunkInput(id: 0x1111_2222_3333_4444, documentIndex: 0, outlineIndex: 1, text: "Per diem: $75 a day in the US, $90 abroad; café receipts not needed.", tokenCount: 21, sourceCharacterRange: 40..<120),
            ChunkInput(id: 0xFEDC_BA98_7654_3210, documentIndex: 1, outlineIndex: nil, text: "Passwords have at least 14 characters. MFA everywhere. 東京 office too.", tokenCount: 17, sourceCharacterRange: 0..<64),
        ]
        let vectors: [Float16] = [0.6, 0.8, 0, 0,   0, 0, 1, 0,   0.5, 0.5, 0.5, 0.5]
        let manifest = Manifest(
            compiler: .init(name: "policyc", version: "0.1.0"),
            model: .init(name: "stand-in", fingerprint: String(repeating: "ab", count: 32), dimension: 4),
            chunking: .init(targetTokenCount: 200, overlapTokenCount: 32, maximumTokenCount: 256),
            sources: [.init(path: "hr/travel.md", sha256: String(repeating: "1", count: 64), byteCount: 120),
                      .init(path: "security/passwords.md", sha256: String(repeating: "2", count: 64), byteCount: 64)])
        return ArtifactContents(manifest: manifest, documents: documents, chunks: chunks, vectors: vectors,
                                additionalSections: [tinyLexicon(), tinyTokenSignatures()])
    }

    /// A hand-written lexicon for the three chunks (terms as the search tokenizer would give
    /// them, written out so this test does not depend on Retrieval).
    static func tinyLexicon() -> SectionPayload {
        let terms: [LexiconWriter.Term] = [
            .init(text: "book", postings: [.init(chunkIndex: 0, termFrequency: 1)]),
            .init(text: "travel", postings: [.init(chunkIndex: 0, termFrequency: 1)]),
            .init(text: "navan", postings: [.init(chunkIndex: 0, termFrequency: 1)]),
            .init(text: "diem", postings: [.init(chunkIndex: 1, termFrequency: 1)]),
            .init(text: "75", postings: [.init(chunkIndex: 1, termFrequency: 1)]),
            .init(text: "cafe", postings: [.init(chunkIndex: 1, termFrequency: 1)]),
            .init(text: "mfa", postings: [.init(chunkIndex: 2, termFrequency: 1)]),
            .init(text: "password", postings: [.init(chunkIndex: 2, termFrequency: 1)]),
            .init(text: "14", postings: [.init(chunkIndex: 2, termFrequency: 1)]),
            .init(text: "per", postings: [.init(chunkIndex: 1, termFrequency: 1), .init(chunkIndex: 2, termFrequency: 300)]),
        ]
        return .raw(.lexicon, try! LexiconWriter.encode(terms: terms, chunkLengths: [3, 4, 303], k1: 1.2, b: 0.75, tokenizerVersion: 1))
    }

    /// Hand-written token signatures for dimension 4 (one word a token, bits 0-3): chunk 0 keeps
    /// two tokens, chunk 1 one, chunk 2 three; frequencies for WordPiece ids 0…5.
    static func tinyTokenSignatures() -> SectionPayload {
        try! TokenSignatureSection.payload(dimension: 4, documentFrequencies: [0, 3, 1, 2, 0, 1],
                                           chunks: [[0b0011, 0b1010], [0b1111], [0b0001, 0b0000, 0b0110]])
    }

    @Test func writerOutputIsByteForByteTheCommittedFixture() throws {
        let bytes = try ArtifactWriter.encode(Self.tinyContents())
        let url = Self.fixtures.appendingPathComponent("tiny-v1.2.pidx")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" || !FileManager.default.fileExists(atPath: url.path) {
            try Data(bytes).write(to: url)
            Issue.record("recorded \(url.path); review it and run the tests again")
            return
        }
        let stored = try Array(Data(contentsOf: url))
        let firstDifference = (0..<min(bytes.count, stored.count)).first { bytes[$0] != stored[$0] } ?? min(bytes.count, stored.count)
        #expect(bytes == stored, "the writer's output differs from the fixture from byte \(firstDifference); a format change bumps the version and re-records")
    }

    @Test func everyReleasedFixtureStillOpensAndReads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".pidx") }
        #expect(names.contains("tiny-v1.0.pidx") && names.contains("tiny-v1.1.pidx") && names.contains("tiny-v1.2.pidx"))
        for name in names {
            let reader = try ArtifactReader(path: Self.fixtures.appendingPathComponent(name).path)
            try reader.verifySectionChecksums()
            try reader.verifyDigest()
            #expect(reader.chunkCount == 3, "\(name)")
            #expect(try reader.chunkText(at: 1) == "Per diem: $75 a day in the US, $90 abroad; café receipts not needed.", "\(name)")
            #expect(try reader.documents().map(\.title) == ["Travel Policy", "Passwords and MFA"], "\(name)")
            #expect(reader.vectors.row(0) == [0.6, 0.8, 0, 0].map { Float(Float16($0)) }, "\(name)")
            if reader.header.minorVersion >= 1 {
                let lexicon = try #require(try reader.lexicon())
                #expect(lexicon.problems().isEmpty, "\(name)")
                let per = try #require(try lexicon.index(of: "per"))
                #expect(try lexicon.postings(ofTermAt: per) == [.init(chunkIndex: 1, termFrequency: 1), .init(chunkIndex: 2, termFrequency: 300)])
                #expect(try lexicon.index(of: "absent") == nil)
            } else {
                #expect(try reader.lexicon() == nil, "\(name)")
            }
            if reader.header.minorVersion >= 2 {
                let signatures = try #require(try reader.tokenSignatures())
                #expect(signatures.structureProblems().isEmpty, "\(name)")
                #expect(signatures.tokenCount == 6 && signatures.wordsPerToken == 1 && signatures.vocabularySize == 6)
                #expect(try signatures.signatures(ofChunk: 2) == [0b0001, 0b0000, 0b0110])
                #expect(try signatures.documentFrequency(ofPiece: 3) == 2)
                #expect(try signatures.documentFrequency(ofPiece: 6) == 0, "an id past the table occurs nowhere")
            } else {
                #expect(try reader.tokenSignatures() == nil, "\(name)")
            }
        }
    }
}
