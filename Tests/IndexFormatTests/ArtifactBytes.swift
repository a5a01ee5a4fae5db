import Checksums
import IndexFormat
import TestSupport

/// A small valid artifact's bytes and the tools to damage them on purpose, including "forged"
/// damage where the header and table checksums are recomputed so that deeper checks are reached.
struct ArtifactBytes {
    var bytes: [UInt8]

    /// 3 chunks of dimension 8 over 2 documents: small enough to print, big enough to have every section.
    static func small() throws -> ArtifactBytes {
        ArtifactBytes(bytes: try ArtifactWriter.encode(SyntheticArtifact.contents(chunkCount: 3, dimension: 8, documentCount: 2, seed: 11)))
    }

    var sectionCount: Int { Int(uint32(at: 32)) }
    func entryOffset(_ index: Int) -> Int { 64 + index * 64 }
    func sectionIndex(_ kind: SectionKind) -> Int {
        (0..<sectionCount).first { SectionKind(rawValue: uint32(at: entryOffset($0))) == kind }!
    }
    func sectionOffset(_ kind: SectionKind) -> Int { Int(uint64(at: entryOffset(sectionIndex(kind)) + 8)) }
    func sectionStoredByteCount(_ kind: SectionKind) -> Int { Int(uint64(at: entryOffset(sectionIndex(kind)) + 16)) }

    func uint32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    func uint64(at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    mutating func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        for index in 0..<MemoryLayout<T>.size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    mutating func flipBit(at offset: Int) { bytes[offset] ^= 0x10 }

    /// Recomputes the section-table checksum, then the header checksum, as a careful forger would.
    mutating func resealHeaderAndTable() {
        let tableByteCount = sectionCount * 64
        if 64 + tableByteCount <= bytes.count {   // a forged huge count has no table to seal
            set(XXH64.hash(Array(bytes[64..<(64 + tableByteCount)])), at: 40)
        }
        set(XXH64.hash(Array(bytes[0..<56])), at: 56)
    }

    /// Recomputes one section's checksum in the table (after changing its bytes), then reseals.
    mutating func resealSection(_ kind: SectionKind) {
        let start = sectionOffset(kind)
        set(XXH64.hash(Array(bytes[start..<(start + sectionStoredByteCount(kind))])), at: entryOffset(sectionIndex(kind)) + 32)
        resealHeaderAndTable()
    }

    func open() throws(ArtifactError) -> ArtifactReader { try ArtifactReader(bytes: bytes) }
}
