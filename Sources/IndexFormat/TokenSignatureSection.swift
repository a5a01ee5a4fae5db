/// The token-signatures section (kind 7, from format 1.2): per chunk, the sign bits of the final
/// hidden state of the tokens it keeps, and per WordPiece id the number of chunks it occurs in.
/// Late-interaction re-ranking reads it (docs/ARTIFACT.md, docs/decisions/0006).
///
/// Layout, offsets from the section's start (raw codec only: it is read in place):
/// a 64-byte prelude (`u32 chunk_count, u32 dimension, u32 words_per_token, u32 vocabulary_size,
/// u64 token_count`, zeros), `vocabulary_size` u32 document frequencies (zero padding to 8 bytes),
/// `chunk_count + 1` u64 token starts, then `token_count × words_per_token` u64 signature words.
public enum TokenSignatureSection {
    static let preludeByteCount = 64

    /// The section for chunks whose kept signatures are `chunks` (each `words_per_token` words a
    /// token), with `documentFrequencies` indexed by WordPiece id.
    public static func payload(dimension: Int, documentFrequencies: [UInt32], chunks: [[UInt64]]) throws(ArtifactError) -> SectionPayload {
        let perToken = (dimension + 63) / 64
        guard FormatLayout.dimensionRange.contains(dimension), !documentFrequencies.isEmpty,
              documentFrequencies.count < Int(UInt32.max), chunks.count < Int(UInt32.max) else {
            throw .invalidContents(reason: "token signatures of dimension \(dimension) with \(documentFrequencies.count) frequencies for \(chunks.count) chunks")
        }
        if let bad = chunks.firstIndex(where: { $0.count % perToken != 0 }) {
            throw .invalidContents(reason: "chunk \(bad) has \(chunks[bad].count) signature words, not a multiple of \(perToken)")
        }
        let tokenCount = chunks.reduce(0) { $0 + $1.count / perToken }
        var writer = ByteWriter(capacity: preludeByteCount + 4 * documentFrequencies.count + 8 * (chunks.count + 1 + tokenCount * perToken) + 8)
        writer.append(UInt32(chunks.count))
        writer.append(UInt32(dimension))
        writer.append(UInt32(perToken))
        writer.append(UInt32(documentFrequencies.count))
        writer.append(UInt64(tokenCount))
        writer.pad(toMultipleOf: preludeByteCount)
        for frequency in documentFrequencies { writer.append(frequency) }
        writer.pad(toMultipleOf: 8)
        var start: UInt64 = 0
        writer.append(start)
        for chunk in chunks {
            start += UInt64(chunk.count / perToken)
            writer.append(start)
        }
        for chunk in chunks {
            for word in chunk { writer.append(word) }
        }
        return .raw(.tokenSignatures, writer.bytes)
    }
}

/// The token-signatures section of a mapped artifact, read in place. Opening checks the prelude
/// and the size equation; each read checks what it reads.
public struct TokenSignatureTable: Sendable {
    public let chunkCount: Int
    /// Bits per token signature (the model's hidden size).
    public let dimension: Int
    public let wordsPerToken: Int
    /// Entries in the document-frequency table: WordPiece ids below it have one.
    public let vocabularySize: Int
    public let tokenCount: Int

    private let file: MappedFile   // keeps the mapping `reader` views alive
    private let reader: ByteReader
    private let base: Int
    private let frequenciesOffset: Int
    private let startsOffset: Int
    private let signaturesOffset: Int

    init(file: MappedFile, entry: SectionEntry, expectedChunkCount: Int, expectedDimension: Int) throws(ArtifactError) {
        let kind = SectionKind.tokenSignatures
        self.file = file
        reader = file.reader
        base = entry.byteOffset
        guard entry.codec == .raw else {
            throw .malformedSection(section: kind, byteOffset: base, reason: "it is stored with codec \(entry.codec); it must be raw, to be read in place")
        }
        guard entry.storedByteCount >= TokenSignatureSection.preludeByteCount else {
            throw .malformedSection(section: kind, byteOffset: base, reason: "\(entry.storedByteCount) bytes, shorter than its 64-byte prelude")
        }
        chunkCount = Int(try reader.uint32(at: base, in: kind))
        dimension = Int(try reader.uint32(at: base + 4, in: kind))
        wordsPerToken = Int(try reader.uint32(at: base + 8, in: kind))
        vocabularySize = Int(try reader.uint32(at: base + 12, in: kind))
        let declaredTokens = try reader.uint64(at: base + 16, in: kind)
        guard chunkCount == expectedChunkCount else {
            throw .malformedSection(section: kind, byteOffset: base, reason: "\(chunkCount) chunks, but the chunk table has \(expectedChunkCount)")
        }
        guard dimension == expectedDimension else {
            throw .malformedSection(section: kind, byteOffset: base + 4, reason: "dimension \(dimension), but the vectors have \(expectedDimension)")
        }
        guard wordsPerToken == (dimension + 63) / 64 else {
            throw .malformedSection(section: kind, byteOffset: base + 8, reason: "\(wordsPerToken) words a token; dimension \(dimension) needs \((dimension + 63) / 64)")
        }
        guard vocabularySize > 0 else {
            throw .malformedSection(section: kind, byteOffset: base + 12, reason: "an empty document-frequency table")
        }
        // Every count is below 2^32 except token_count: bound it by the section's size before multiplying.
        let fixed = TokenSignatureSection.preludeByteCount + FormatLayout.alignUp(4 * vocabularySize, 8) + 8 * (chunkCount + 1)
        let available = entry.storedByteCount - fixed
        guard available >= 0, declaredTokens <= UInt64(available / (8 * wordsPerToken)),
              fixed + Int(declaredTokens) * 8 * wordsPerToken == entry.storedByteCount else {
            throw .malformedSection(section: kind, byteOffset: base,
                                    reason: "\(chunkCount) chunks, \(vocabularySize) frequencies and \(declaredTokens) tokens of \(wordsPerToken) words do not fill its \(entry.storedByteCount) bytes exactly")
        }
        tokenCount = Int(declaredTokens)
        frequenciesOffset = base + TokenSignatureSection.preludeByteCount
        startsOffset = frequenciesOffset + FormatLayout.alignUp(4 * vocabularySize, 8)
        signaturesOffset = startsOffset + 8 * (chunkCount + 1)
    }

    /// In how many chunks WordPiece `piece` occurs (0 for an id outside the table).
    public func documentFrequency(ofPiece piece: Int32) throws(ArtifactError) -> Int {
        guard piece >= 0, Int(piece) < vocabularySize else { return 0 }
        return Int(try reader.uint32(at: frequenciesOffset + 4 * Int(piece), in: .tokenSignatures))
    }

    /// The rows of chunk `index`'s signatures, checked against the section.
    public func tokenRange(ofChunk index: Int) throws(ArtifactError) -> Range<Int> {
        guard index >= 0, index < chunkCount else {
            throw .referenceOutOfRange(chunk: index, field: "token-signature chunk", value: UInt64(max(0, index)), limit: UInt64(chunkCount))
        }
        let start = try reader.uint64(at: startsOffset + 8 * index, in: .tokenSignatures)
        let end = try reader.uint64(at: startsOffset + 8 * index + 8, in: .tokenSignatures)
        guard start <= end, end <= UInt64(tokenCount) else {
            throw .malformedSection(section: .tokenSignatures, byteOffset: startsOffset + 8 * index,
                                    reason: "chunk \(index)'s tokens \(start)..<\(end) are not an ordered range within its \(tokenCount) tokens")
        }
        return Int(start)..<Int(end)
    }

    /// Chunk `index`'s signatures: `wordsPerToken` words a token, in token order. Read with `pread`,
    /// not through the mapping: a search reads 20 chunks' worth (about 70 KB), and through the
    /// mapping every page a search ever touched would stay resident (2.9 MB for the handbook).
    public func signatures(ofChunk index: Int) throws(ArtifactError) -> [UInt64] {
        let tokens = try tokenRange(ofChunk: index)
        return try file.readUInt64s(at: signaturesOffset + 8 * wordsPerToken * tokens.lowerBound, count: tokens.count * wordsPerToken,
                                    in: .tokenSignatures)
    }

    /// What full verification checks beyond opening: the token starts begin at 0, never decrease and
    /// end at token_count; no frequency exceeds the chunk count; bits at or past `dimension` are zero.
    public func structureProblems() -> [ArtifactError] {
        let kind = SectionKind.tokenSignatures
        var problems: [ArtifactError] = []
        do {
            var previous: UInt64 = 0
            for index in 0...chunkCount {
                let start = try reader.uint64(at: startsOffset + 8 * index, in: kind)
                if (index == 0 && start != 0) || start < previous || (index == chunkCount && start != UInt64(tokenCount)) {
                    problems.append(.malformedSection(section: kind, byteOffset: startsOffset + 8 * index,
                                                      reason: "token start \(index) is \(start): starts must begin at 0, never decrease and end at \(tokenCount)"))
                    break
                }
                previous = start
            }
            for piece in 0..<vocabularySize {
                let frequency = try reader.uint32(at: frequenciesOffset + 4 * piece, in: kind)
                if frequency > UInt32(chunkCount) {
                    problems.append(.malformedSection(section: kind, byteOffset: frequenciesOffset + 4 * piece,
                                                      reason: "piece \(piece) occurs in \(frequency) chunks, more than the \(chunkCount) there are"))
                    break
                }
            }
            let unusedBits = wordsPerToken * 64 - dimension
            if unusedBits > 0 {
                let mask = ~UInt64(0) << UInt64(64 - unusedBits)
                for token in 0..<tokenCount {
                    let offset = signaturesOffset + 8 * (token * wordsPerToken + wordsPerToken - 1)
                    if try reader.uint64(at: offset, in: kind) & mask != 0 {
                        problems.append(.malformedSection(section: kind, byteOffset: offset,
                                                          reason: "token \(token)'s signature sets bits past dimension \(dimension)"))
                        break
                    }
                }
            }
        } catch {
            problems.append(error)
        }
        return problems
    }
}
