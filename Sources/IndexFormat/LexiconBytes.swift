/// The lexicon section's bytes, in place in the mapping (raw codec) or decoded once (lz4-blocks).
/// Every read is checked against the section's own bounds, so a bad offset can never reach the
/// next section; varints are read with a length cap.
struct LexiconBytes: Sendable {
    private enum Storage: Sendable {
        /// `count` bytes at `base` in the mapping that `owner` keeps alive.
        case mapped(owner: MappedFile, reader: ByteReader, base: Int)
        case decoded([UInt8])
    }

    private let storage: Storage
    let count: Int
    /// Where the section starts in the file, for messages.
    let fileByteOffset: Int

    init(mapped owner: MappedFile, base: Int, count: Int) {
        storage = .mapped(owner: owner, reader: owner.reader, base: base)
        self.count = count
        fileByteOffset = base
    }

    init(decoded bytes: [UInt8], fileByteOffset: Int) {
        storage = .decoded(bytes)
        count = bytes.count
        self.fileByteOffset = fileByteOffset
    }

    func malformed(at offset: Int, _ reason: String) -> ArtifactError {
        .malformedSection(section: .lexicon, byteOffset: fileByteOffset + offset, reason: reason)
    }

    /// `length` bytes at section offset `offset`.
    func bytes(at offset: Int, length: Int) throws(ArtifactError) -> [UInt8] {
        let range = try checked(offset, length)
        switch storage {
        case .mapped(_, let reader, let base): return try reader.bytes(at: base + range.lowerBound, length: length, in: .lexicon)
        case .decoded(let bytes): return Array(bytes[range])
        }
    }

    /// How the `length` bytes at `offset` order against `other` as `lexicographicallyPrecedes`
    /// orders byte arrays: -1 before, 0 equal, 1 after. Compared in place, without a copy: a term
    /// lookup makes a dozen of these.
    func compare(at offset: Int, length: Int, with other: [UInt8]) throws(ArtifactError) -> Int {
        let range = try checked(offset, length)
        switch storage {
        case .mapped(_, let reader, let base):
            let stored = unsafe try reader.slice(at: base + range.lowerBound, length: length, in: .lexicon)
            return unsafe Self.order(stored, other)
        case .decoded(let bytes): return Self.order(bytes[range], other)
        }
    }

    private static func order<Stored: Sequence<UInt8>>(_ stored: Stored, _ other: [UInt8]) -> Int {
        stored.lexicographicallyPrecedes(other) ? -1 : stored.elementsEqual(other) ? 0 : 1
    }

    /// One byte at section offset `offset`.
    func uint8(at offset: Int) throws(ArtifactError) -> UInt8 {
        let range = try checked(offset, 1)
        switch storage {
        case .mapped(_, let reader, let base): return try reader.uint8(at: base + range.lowerBound, in: .lexicon)
        case .decoded(let bytes): return bytes[range.lowerBound]
        }
    }

    // Fixed-width reads go straight to the mapping (no copy): lookups and postings call them often.
    func uint32(at offset: Int) throws(ArtifactError) -> UInt32 {
        let range = try checked(offset, 4)
        switch storage {
        case .mapped(_, let reader, let base): return try reader.uint32(at: base + range.lowerBound, in: .lexicon)
        case .decoded(let bytes): return bytes[range].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    func uint64(at offset: Int) throws(ArtifactError) -> UInt64 {
        let range = try checked(offset, 8)
        switch storage {
        case .mapped(_, let reader, let base): return try reader.uint64(at: base + range.lowerBound, in: .lexicon)
        case .decoded(let bytes): return bytes[range].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    /// An unsigned LEB128 varint at `cursor` (advanced past it), at most 10 bytes, before `end`.
    func varint(at cursor: inout Int, end: Int) throws(ArtifactError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard cursor < end, shift < 64 else { throw malformed(at: cursor, "a postings varint runs past its term's bytes or beyond 64 bits") }
            let byte = try uint8(at: cursor)
            cursor += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private func checked(_ offset: Int, _ length: Int) throws(ArtifactError) -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard offset >= 0, length >= 0, !overflow, end <= count else {
            throw malformed(at: max(0, offset), "a read of \(length) bytes runs past the end of the \(count)-byte section")
        }
        return offset..<end
    }
}
