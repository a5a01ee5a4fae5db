// Unsafe code allowed here: bounds-checked little-endian loads over the mapped artifact.
import Checksums

/// Little-endian reads over the artifact's bytes. Every offset is checked here, with overflow-reporting
/// arithmetic, before any load; a read outside the buffer is an error naming the section.
@safe struct ByteReader: @unchecked Sendable {  // read-only view of an immutable mapping
    private let bytes: UnsafeRawBufferPointer  // kept alive by the owning MappedFile

    init(_ bytes: UnsafeRawBufferPointer) { unsafe self.bytes = bytes }

    var count: Int { unsafe bytes.count }

    func uint8(at offset: Int, in section: SectionKind) throws(ArtifactError) -> UInt8 {
        let range = try checkedRange(offset, length: 1, in: section)
        return unsafe bytes[range.lowerBound]
    }

    func uint16(at offset: Int, in section: SectionKind) throws(ArtifactError) -> UInt16 {
        let range = try checkedRange(offset, length: 2, in: section)
        return UInt16(littleEndian: unsafe bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt16.self))
    }

    func uint32(at offset: Int, in section: SectionKind) throws(ArtifactError) -> UInt32 {
        let range = try checkedRange(offset, length: 4, in: section)
        return UInt32(littleEndian: unsafe bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt32.self))
    }

    func uint64(at offset: Int, in section: SectionKind) throws(ArtifactError) -> UInt64 {
        let range = try checkedRange(offset, length: 8, in: section)
        return UInt64(littleEndian: unsafe bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self))
    }

    /// `count` little-endian UInt64 values at `offset`, with one bounds check.
    func uint64s(at offset: Int, count: Int, in section: SectionKind) throws(ArtifactError) -> [UInt64] {
        let (length, overflow) = count.multipliedReportingOverflow(by: 8)
        guard count >= 0, !overflow else {
            throw .malformedSection(section: section, byteOffset: max(0, offset), reason: "a read of \(count) 8-byte values is too large")
        }
        let range = try checkedRange(offset, length: length, in: section)
        return (0..<count).map { index in
            UInt64(littleEndian: unsafe bytes.loadUnaligned(fromByteOffset: range.lowerBound + 8 * index, as: UInt64.self))
        }
    }

    /// A copy of `length` bytes at `offset`.
    func bytes(at offset: Int, length: Int, in section: SectionKind) throws(ArtifactError) -> [UInt8] {
        let range = try checkedRange(offset, length: length, in: section)
        return unsafe Array(bytes[range])
    }

    /// A view of `length` bytes at `offset`, valid while the owning MappedFile lives.
    func slice(at offset: Int, length: Int, in section: SectionKind) throws(ArtifactError) -> UnsafeRawBufferPointer {
        let range = try checkedRange(offset, length: length, in: section)
        return unsafe UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// The XXH64 of `length` bytes at `offset`.
    func xxh64(at offset: Int, length: Int, in section: SectionKind) throws(ArtifactError) -> UInt64 {
        unsafe XXH64.hash(try slice(at: offset, length: length, in: section))
    }

    /// The SHA-256 of `length` bytes at `offset`.
    func sha256(at offset: Int, length: Int, in section: SectionKind) throws(ArtifactError) -> [UInt8] {
        unsafe SHA256.digest(try slice(at: offset, length: length, in: section))
    }

    /// The only place offset arithmetic on file data happens: no overflow, nothing past the end.
    private func checkedRange(_ offset: Int, length: Int, in section: SectionKind) throws(ArtifactError) -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard offset >= 0, length >= 0, !overflow, end <= count else {
            throw .malformedSection(section: section, byteOffset: max(0, offset),
                                    reason: "a read of \(length) bytes runs past the end of the \(count)-byte file")
        }
        return offset..<end
    }
}
