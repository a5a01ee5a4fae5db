/// Builds little-endian bytes: how the writer lays out headers, tables and fixed-size records.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func append(_ value: UInt16) { appendLittleEndian(value) }
    mutating func append(_ value: UInt32) { appendLittleEndian(value) }
    mutating func append(_ value: UInt64) { appendLittleEndian(value) }
    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }
    mutating func append<C: Collection>(contentsOf other: C) where C.Element == UInt8 { bytes.append(contentsOf: other) }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(toMultipleOf alignment: Int) {
        let target = FormatLayout.alignUp(bytes.count, alignment)
        bytes.append(contentsOf: repeatElement(0, count: target - bytes.count))
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var remaining = value  // least significant byte first, whatever the host order
        for _ in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: remaining))
            remaining = remaining >> 8
        }
    }
}
