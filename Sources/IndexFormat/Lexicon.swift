/// The BM25 lexicon (section kind 6, format 1.1): per-chunk lengths, a sorted term dictionary and
/// each term's postings, read in place from the mapping (docs/ARTIFACT.md, "Lexicon").
///
/// Opening checks the prelude and that the declared parts add up to the section's size: constant
/// time. Each lookup checks the offsets it follows; `problems()` checks everything (full verification).
public struct Lexicon: Sendable {
    /// The search tokenizer version that produced the terms; a reader must normalise queries the same way.
    public let tokenizerVersion: UInt32
    public let chunkCount: Int
    public let termCount: Int
    /// BM25's term-frequency saturation and length normalisation, as the compiler chose them.
    public let k1: Float
    public let b: Float
    /// The sum of every chunk's length in terms.
    public let totalTermCount: UInt64

    private let bytes: LexiconBytes
    private let termsOffset: Int
    private let stringsOffset: Int
    private let stringsByteCount: Int
    private let postingsOffset: Int
    private let postingsByteCount: Int

    /// The section's fixed prelude, in bytes.
    public static let preludeByteCount = 64
    /// Each term entry: u32 string end, u32 document frequency, u32 postings end.
    public static let termEntryByteCount = 12

    init(bytes: LexiconBytes, expectedChunkCount: Int) throws(ArtifactError) {
        self.bytes = bytes
        tokenizerVersion = try bytes.uint32(at: 0)
        chunkCount = Int(try bytes.uint32(at: 4))
        termCount = Int(try bytes.uint32(at: 8))
        k1 = Float(bitPattern: try bytes.uint32(at: 12))
        b = Float(bitPattern: try bytes.uint32(at: 16))
        totalTermCount = try bytes.uint64(at: 24)
        let strings = try bytes.uint64(at: 32)
        let postings = try bytes.uint64(at: 40)
        guard chunkCount == expectedChunkCount else {
            throw bytes.malformed(at: 4, "\(chunkCount) chunk lengths for \(expectedChunkCount) chunks")
        }
        guard k1.isFinite, k1 >= 0, b.isFinite, b >= 0, b <= 1 else {
            throw bytes.malformed(at: 12, "BM25 parameters k1 = \(k1), b = \(b) are outside k1 ≥ 0, 0 ≤ b ≤ 1")
        }
        // chunkCount and termCount are below 2^32, so these cannot overflow; the two sizes are checked first.
        guard strings <= UInt64(bytes.count), postings <= UInt64(bytes.count) else {
            throw bytes.malformed(at: 32, "strings (\(strings) bytes) or postings (\(postings) bytes) exceed the \(bytes.count)-byte section")
        }
        termsOffset = Self.preludeByteCount + 4 * chunkCount
        stringsOffset = termsOffset + Self.termEntryByteCount * termCount
        stringsByteCount = Int(strings)
        postingsOffset = stringsOffset + stringsByteCount
        postingsByteCount = Int(postings)
        let expected = postingsOffset + postingsByteCount
        guard expected == bytes.count else {
            throw bytes.malformed(at: 0, "\(chunkCount) lengths, \(termCount) terms, \(strings) string bytes and \(postings) postings bytes need \(expected) bytes, the section has \(bytes.count)")
        }
    }

    /// The mean chunk length in terms (0 for an empty corpus).
    public var averageChunkLength: Float { chunkCount == 0 ? 0 : Float(Double(totalTermCount) / Double(chunkCount)) }

    /// Chunk `index`'s length in terms.
    public func chunkLength(_ index: Int) throws(ArtifactError) -> Int {
        guard index >= 0, index < chunkCount else { throw bytes.malformed(at: Self.preludeByteCount, "chunk \(index) of \(chunkCount)") }
        return Int(try bytes.uint32(at: Self.preludeByteCount + 4 * index))
    }

    /// The term at dictionary position `index`.
    public func term(at index: Int) throws(ArtifactError) -> String {
        let range = try stringRange(index)
        let raw = try bytes.bytes(at: stringsOffset + range.lowerBound, length: range.count)
        guard let term = String(validating: raw, as: UTF8.self) else {
            throw bytes.malformed(at: stringsOffset + range.lowerBound, "term \(index) is not valid UTF-8")
        }
        return term
    }

    /// Where `term` sits in the dictionary (binary search over the sorted strings), or nil.
    public func index(of term: String) throws(ArtifactError) -> Int? {
        let wanted = Array(term.utf8)
        var low = 0, high = termCount
        while low < high {
            let middle = (low + high) / 2
            let range = try stringRange(middle)
            switch try bytes.compare(at: stringsOffset + range.lowerBound, length: range.count, with: wanted) {
            case ..<0: low = middle + 1
            case 0: return middle
            default: high = middle
            }
        }
        return nil
    }

    /// How many chunks hold term `index`.
    public func documentFrequency(ofTermAt index: Int) throws(ArtifactError) -> Int {
        Int(try bytes.uint32(at: termsOffset + Self.termEntryByteCount * index + 4))
    }

    /// Term `index`'s postings: chunk indices, increasing, each with the term's count in that chunk.
    /// Every value is checked: chunks in range and increasing, counts at least 1, exactly
    /// `documentFrequency` pairs filling the term's bytes.
    public func postings(ofTermAt index: Int) throws(ArtifactError) -> [Posting] {
        let frequency = try documentFrequency(ofTermAt: index)
        let range = try postingsRange(index)
        guard frequency <= range.count / 2 else {
            throw bytes.malformed(at: postingsOffset + range.lowerBound, "term \(index) claims \(frequency) postings in \(range.count) bytes")
        }
        var cursor = postingsOffset + range.lowerBound
        let end = postingsOffset + range.upperBound
        var postings: [Posting] = []
        postings.reserveCapacity(frequency)
        var chunk = -1
        for _ in 0..<frequency {
            let delta = try bytes.varint(at: &cursor, end: end)
            let count = try bytes.varint(at: &cursor, end: end)
            // The first posting holds its chunk index, each later one the gap (at least 1) from the previous.
            let (next, overflow) = chunk < 0 ? (Int(clamping: delta), false) : chunk.addingReportingOverflow(Int(clamping: delta))
            guard !overflow, delta > 0 || chunk < 0, next >= 0, next < chunkCount, count > 0, count <= UInt64(UInt32.max) else {
                throw bytes.malformed(at: cursor, "term \(index) has a posting for chunk \(next) with count \(count) (chunks 0..<\(chunkCount), increasing, counts ≥ 1)")
            }
            chunk = next
            postings.append(Posting(chunkIndex: chunk, termFrequency: Int(count)))
        }
        guard cursor == end else {
            throw bytes.malformed(at: cursor, "term \(index)'s postings end at byte \(cursor), its entry says \(end)")
        }
        return postings
    }

    /// Every problem full verification finds: terms strictly increasing and valid UTF-8, every
    /// postings list readable, and each chunk's length equal to the sum of its term counts.
    public func problems() -> [ArtifactError] {
        var problems: [ArtifactError] = []
        var sums = [Int](repeating: 0, count: chunkCount)
        var previous: [UInt8]?
        do throws(ArtifactError) {
            for index in 0..<termCount {
                let current = Array(try term(at: index).utf8)
                if let previous, !previous.lexicographicallyPrecedes(current) {
                    problems.append(bytes.malformed(at: stringsOffset, "term \(index) is not after term \(index - 1) in byte order"))
                }
                previous = current
                for posting in try postings(ofTermAt: index) { sums[posting.chunkIndex] += posting.termFrequency }
            }
            var total: UInt64 = 0
            for index in 0..<chunkCount {
                let length = try chunkLength(index)
                total += UInt64(length)
                if length != sums[index] {
                    problems.append(bytes.malformed(at: Self.preludeByteCount + 4 * index, "chunk \(index) has length \(length) but its term counts add up to \(sums[index])"))
                }
            }
            if total != totalTermCount {
                problems.append(bytes.malformed(at: 24, "chunk lengths add up to \(total), the prelude says \(totalTermCount)"))
            }
        } catch {
            problems.append(error)
        }
        return problems
    }

    private func stringRange(_ index: Int) throws(ArtifactError) -> Range<Int> {
        try entryRange(index, field: 0, limit: stringsByteCount, what: "string")
    }

    private func postingsRange(_ index: Int) throws(ArtifactError) -> Range<Int> {
        try entryRange(index, field: 8, limit: postingsByteCount, what: "postings")
    }

    /// Entry `index`'s [previous end, end) for one of its end fields, checked against `limit`.
    private func entryRange(_ index: Int, field: Int, limit: Int, what: String) throws(ArtifactError) -> Range<Int> {
        guard index >= 0, index < termCount else { throw bytes.malformed(at: termsOffset, "term \(index) of \(termCount)") }
        let start = index == 0 ? 0 : Int(try bytes.uint32(at: termsOffset + Self.termEntryByteCount * (index - 1) + field))
        let end = Int(try bytes.uint32(at: termsOffset + Self.termEntryByteCount * index + field))
        guard start <= end, end <= limit else {
            throw bytes.malformed(at: termsOffset + Self.termEntryByteCount * index + field,
                                  "term \(index)'s \(what) run from \(start) to \(end), outside 0...\(limit) or backwards")
        }
        return start..<end
    }
}

/// One chunk in a term's postings.
public struct Posting: Equatable, Sendable {
    public var chunkIndex: Int
    /// How often the term occurs in the chunk.
    public var termFrequency: Int

    public init(chunkIndex: Int, termFrequency: Int) {
        self.chunkIndex = chunkIndex
        self.termFrequency = termFrequency
    }
}
