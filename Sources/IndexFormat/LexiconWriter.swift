/// Encodes the lexicon section (docs/ARTIFACT.md, "Lexicon"). The terms themselves come from the
/// search tokenizer in Retrieval; this type only lays them out.
public enum LexiconWriter {
    /// One term and the chunks that hold it, chunk indices increasing.
    public struct Term: Equatable, Sendable {
        public var text: String
        public var postings: [Posting]
        public init(text: String, postings: [Posting]) {
            self.text = text
            self.postings = postings
        }
    }

    /// LZ4 is used only when it saves at least this fraction; otherwise the section stays raw and
    /// is read in place (delta + varint postings leave LZ4 little to find on small corpora).
    public static let minimumCompressionSaving = 0.25

    /// The section for `terms` (sorted by UTF-8 bytes here) and `chunkLengths` (terms per chunk).
    public static func section(terms: [Term], chunkLengths: [Int], k1: Float, b: Float,
                               tokenizerVersion: UInt32) throws(ArtifactError) -> SectionPayload {
        let raw = try encode(terms: terms, chunkLengths: chunkLengths, k1: k1, b: b, tokenizerVersion: tokenizerVersion)
        let compressed = SectionPayload.lz4Blocks(.lexicon, raw, blockRawByteCount: 64 << 10)
        let saving = 1 - Double(compressed.storedBytes.count) / Double(max(1, raw.count))
        return saving >= minimumCompressionSaving ? compressed : .raw(.lexicon, raw)
    }

    /// The section's raw bytes.
    public static func encode(terms: [Term], chunkLengths: [Int], k1: Float, b: Float,
                              tokenizerVersion: UInt32) throws(ArtifactError) -> [UInt8] {
        let sorted = terms.sorted { Array($0.text.utf8).lexicographicallyPrecedes(Array($1.text.utf8)) }
        var strings = ByteWriter()
        var postings = ByteWriter()
        var entries = ByteWriter()
        var previous: String?
        for term in sorted {
            guard term.text != previous, !term.text.isEmpty else { throw .invalidContents(reason: "lexicon term '\(term.text)' is empty or repeated") }
            previous = term.text
            var chunk = -1
            for posting in term.postings {
                guard posting.chunkIndex > chunk, posting.chunkIndex < chunkLengths.count, posting.termFrequency > 0 else {
                    throw .invalidContents(reason: "lexicon term '\(term.text)' has postings out of order or out of range")
                }
                // The first posting stores its chunk index, each later one the gap from the previous.
                appendVarint(UInt64(chunk < 0 ? posting.chunkIndex : posting.chunkIndex - chunk), to: &postings)
                appendVarint(UInt64(posting.termFrequency), to: &postings)
                chunk = posting.chunkIndex
            }
            strings.append(Array(term.text.utf8))
            guard strings.count < Int(UInt32.max), postings.count < Int(UInt32.max) else {
                throw .invalidContents(reason: "lexicon strings or postings above 4 GiB")
            }
            entries.append(UInt32(strings.count))
            entries.append(UInt32(term.postings.count))
            entries.append(UInt32(postings.count))
        }
        var section = ByteWriter()
        section.append(tokenizerVersion)
        section.append(UInt32(chunkLengths.count))
        section.append(UInt32(sorted.count))
        section.append(k1.bitPattern)
        section.append(b.bitPattern)
        section.append(UInt32(0))
        section.append(UInt64(chunkLengths.reduce(0, +)))
        section.append(UInt64(strings.count))
        section.append(UInt64(postings.count))
        section.pad(toMultipleOf: Lexicon.preludeByteCount)
        for length in chunkLengths { section.append(UInt32(length)) }
        section.append(entries.bytes)
        section.append(strings.bytes)
        section.append(postings.bytes)
        return section.bytes
    }

    /// Unsigned LEB128: seven bits a byte, low bits first, high bit set on all but the last.
    static func appendVarint(_ value: UInt64, to writer: inout ByteWriter) {
        var value = value
        while value >= 0x80 {
            writer.append([UInt8(value & 0x7F | 0x80)])
            value >>= 7
        }
        writer.append([UInt8(value)])
    }
}
