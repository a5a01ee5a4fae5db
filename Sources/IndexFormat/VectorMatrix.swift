// Unsafe code allowed here: the zero-copy Float16 view of the vectors section and its scan kernel.

/// The chunk embeddings, `rowCount × dimension` Float16 values, row-major, read in place from the
/// mapping (no copy). Row `i` belongs to chunk `i`.
@safe public struct VectorMatrix: @unchecked Sendable {
    public let rowCount: Int
    public let dimension: Int
    private let values: UnsafeBufferPointer<Float16>   // (rowCount, dimension) row-major
    private let owner: MappedFile                        // keeps the mapping alive

    /// The `rowCount × dimension` values at `byteOffset` of `file` (checked to lie inside it; the
    /// writer aligns them to 64 bytes, and a misaligned offset is an error).
    init(file: MappedFile, byteOffset: Int, rowCount: Int, dimension: Int) throws(ArtifactError) {
        let bytes = try unsafe file.reader.slice(at: byteOffset, length: rowCount * dimension * 2, in: .vectors)
        guard byteOffset % 2 == 0 else {
            throw .malformedSection(section: .vectors, byteOffset: byteOffset, reason: "Float16 rows start at an odd byte offset")
        }
        self.rowCount = rowCount
        self.dimension = dimension
        unsafe values = bytes.isEmpty ? UnsafeBufferPointer(start: nil, count: 0) : bytes.assumingMemoryBound(to: Float16.self)
        self.owner = file
    }

    /// Row `row` widened to Float (a copy).
    public func row(_ row: Int) -> [Float] {
        precondition(row >= 0 && row < rowCount, "row \(row) of \(rowCount)")
        let start = row * dimension
        return (0..<dimension).map { Float(unsafe values[start + $0]) }
    }

    /// Row `row` as stored (a copy).
    public func float16Row(_ row: Int) -> [Float16] {
        precondition(row >= 0 && row < rowCount, "row \(row) of \(rowCount)")
        let start = row * dimension
        return (0..<dimension).map { unsafe values[start + $0] }
    }

    /// Calls `body` with every value, row-major, for kernels that scan in place. The buffer must
    /// not escape `body`.
    public func withUnsafeValues<Result>(_ body: (UnsafeBufferPointer<Float16>) throws -> Result) rethrows -> Result {
        try unsafe body(values)
    }

    /// The dot product of `query` with every row: `scores[i] = Σ_j query[j] · row_i[j]`, summed in
    /// Float. O(rowCount × dimension); one pass over the mapping.
    public func dotProducts(with query: [Float]) -> [Float] {
        precondition(query.count == dimension, "query has \(query.count) values, rows have \(dimension)")
        var scores = [Float](repeating: 0, count: rowCount)
        guard dimension > 0 else { return scores }
        unsafe query.withUnsafeBufferPointer { q in
            unsafe scores.withUnsafeMutableBufferPointer { out in
                for row in 0..<rowCount {
                    unsafe out[row] = unsafe Self.dot(q, values, rowStart: row * dimension)
                }
            }
        }
        return scores
    }

    /// One row's dot product: eight Float16 values loaded at once and widened (one F16C
    /// instruction), multiplied and added with FMA into two independent accumulators.
    @inline(__always)
    private static func dot(_ query: UnsafeBufferPointer<Float>, _ values: UnsafeBufferPointer<Float16>, rowStart: Int) -> Float {
        let dimension = query.count
        let row = unsafe UnsafeRawPointer(values.baseAddress! + rowStart)
        let q = unsafe UnsafeRawPointer(query.baseAddress!)
        var even = SIMD8<Float>()
        var odd = SIMD8<Float>()
        var j = 0
        while j + 16 <= dimension {
            even.addProduct(SIMD8<Float>(unsafe row.loadUnaligned(fromByteOffset: 2 * j, as: SIMD8<Float16>.self)),
                            unsafe q.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self))
            odd.addProduct(SIMD8<Float>(unsafe row.loadUnaligned(fromByteOffset: 2 * j + 16, as: SIMD8<Float16>.self)),
                           unsafe q.loadUnaligned(fromByteOffset: 4 * j + 32, as: SIMD8<Float>.self))
            j += 16
        }
        var sum = (even + odd).sum()
        while j < dimension {
            sum += unsafe Float(values[rowStart + j]) * query[j]
            j += 1
        }
        return sum
    }

    /// The writer's encoding of `values`: their little-endian IEEE binary16 bytes, in order.
    static func encode(_ values: [Float16]) -> [UInt8] {
        unsafe values.withUnsafeBytes { unsafe Array($0) }   // x86-64 and arm64 are little-endian
    }
}
