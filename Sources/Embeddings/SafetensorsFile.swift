// Unsafe code allowed here: the safetensors reader maps the model file, checks every offset
// against the mapping (SafetensorsHeader) and hands out FloatTensor views into it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checksums

/// A memory-mapped safetensors file whose header has been validated.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON, then the data area the
/// header's offsets point into. The mapping is read-only and private, so the weights cost page
/// cache rather than heap, and only the pages a computation touches become resident.
@safe public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let header: SafetensorsHeader
    private let mapping: FileMapping
    /// Byte offset of the data area in the file: 8 + header length.
    private let dataOffset: Int

    /// Maps `path` and validates its header. Throws a specific error for each kind of damage.
    public init(path: String) throws(EmbeddingError) {
        self.path = path
        let mapping = try FileMapping(path: path)
        let fileByteCount = mapping.byteCount
        guard fileByteCount >= 8 else { throw .fileTooSmall(path: path, byteCount: fileByteCount) }
        let declared = UInt64(littleEndian: unsafe mapping.base.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(SafetensorsHeader.maximumByteCount) else {
            throw .headerTooLarge(path: path, declaredByteCount: declared, limit: SafetensorsHeader.maximumByteCount)
        }
        let headerByteCount = Int(declared)
        guard headerByteCount <= fileByteCount - 8 else {
            throw .headerPastEndOfFile(path: path, declaredByteCount: declared, fileByteCount: fileByteCount)
        }
        let json = unsafe Array(UnsafeRawBufferPointer(start: mapping.base + 8, count: headerByteCount))
        self.header = try SafetensorsHeader(json: json, dataByteCount: fileByteCount - 8 - headerByteCount, path: path)
        self.mapping = mapping
        self.dataOffset = 8 + headerByteCount
    }

    /// The tensor `name` as floats, viewed in place when it is F32 and 4-byte aligned in the
    /// mapping, else converted into a new buffer (F16, BF16, or unaligned F32).
    /// - Parameter expectedShape: when given, a different shape is `.unexpectedShape`.
    public func floatTensor(_ name: String, expectedShape: [Int]? = nil) throws(EmbeddingError) -> FloatTensor {
        guard let info = header[name] else { throw .missingTensor(path: path, tensor: name) }
        if let expectedShape, expectedShape != info.shape {
            throw .unexpectedShape(path: path, tensor: name, expected: expectedShape, found: info.shape)
        }
        // In bounds: SafetensorsHeader checked the range against the data area's byte count.
        let start = unsafe mapping.base + dataOffset + info.byteRange.lowerBound
        let count = info.elementCount
        switch info.dtype {
        case .f32:
            if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                return unsafe FloatTensor(unsafeBase: start.assumingMemoryBound(to: Float.self), count: count, shape: info.shape, storage: mapping)
            }
            let buffer = unsafe OwnedFloatBuffer(count: count) { output in
                for index in 0..<count {
                    unsafe output[index] = Float(bitPattern: UInt32(littleEndian: unsafe start.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                }
            }
            return unsafe FloatTensor(unsafeBase: UnsafePointer(buffer.pointer), count: count, shape: info.shape, storage: buffer)
        case .f16, .bf16:
            let isBrain = info.dtype == .bf16
            let buffer = unsafe OwnedFloatBuffer(count: count) { output in
                for index in 0..<count {
                    let bits = UInt16(littleEndian: unsafe start.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                    unsafe output[index] = isBrain ? Float(bitPattern: UInt32(bits) << 16) : Float(Float16(bitPattern: bits))
                }
            }
            return unsafe FloatTensor(unsafeBase: UnsafePointer(buffer.pointer), count: count, shape: info.shape, storage: buffer)
        default:
            throw .unsupportedDType(path: path, tensor: name, dtype: info.dtype.rawValue)
        }
    }

    /// Drops this process's resident copies of the mapped pages (`madvise(MADV_DONTNEED)`); the
    /// mapping stays valid and pages fault back in from the page cache when read again. Used after
    /// the weights were copied elsewhere (Float16), so they stop counting in the resident set.
    /// Also marks the mapping for random access (`MADV_RANDOM`): what is read afterwards is a few
    /// embedding rows per text, and the default fault-around would map 64 KiB around each one.
    public func releaseResidentPages() {
        let base = unsafe UnsafeMutableRawPointer(mutating: mapping.base)
        _ = unsafe madvise(base, mapping.byteCount, MADV_DONTNEED)
        _ = unsafe madvise(base, mapping.byteCount, MADV_RANDOM)
    }

    /// Copies row `row` of the 2-D F32 tensor `name` into `buffer[offset...]` with `pread`, which
    /// leaves the file's pages out of this process's resident set (a mapped read would map a whole
    /// page-cache folio, up to 2 MiB on ext4, for one 1.5 KiB row). Falls back to the mapping when
    /// the tensor is not F32 or the read fails.
    public func readRow(_ row: Int, of tensor: FloatTensor, named name: String, into buffer: inout [Float], at offset: Int) {
        readRows(row..<row + 1, of: tensor, named: name, into: &buffer, at: offset)
    }

    /// As `readRow`, for consecutive rows in one `pread` (they lie side by side in the file).
    public func readRows(_ rows: Range<Int>, of tensor: FloatTensor, named name: String, into buffer: inout [Float], at offset: Int) {
        let width = tensor.shape.count == 2 ? tensor.shape[1] : tensor.count
        let count = rows.count * width
        precondition(rows.lowerBound >= 0 && rows.upperBound * width <= tensor.count && offset >= 0 && offset + count <= buffer.count)
        if let info = header[name], info.dtype == .f32, info.shape == tensor.shape {
            let fileOffset = dataOffset + info.byteRange.lowerBound + rows.lowerBound * width * 4
            let readCount = unsafe buffer.withUnsafeMutableBufferPointer { output in
                unsafe pread(mapping.descriptor, output.baseAddress! + offset, count * 4, off_t(fileOffset))
            }
            if readCount == count * 4 {
                // The file is little-endian, as is every host this builds for (x86-64, arm64).
                return
            }
        }
        for index in 0..<count { buffer[offset + index] = tensor[rows.lowerBound * width + index] }
    }

    /// The SHA-256 of the file at `path`, read in 1 MiB blocks (not mapped, so hashing the
    /// weights does not leave them resident in this process).
    public static func sha256(ofFileAt path: String) throws(EmbeddingError) -> [UInt8] {
        let descriptor = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: Self.systemMessage()) }
        defer { close(descriptor) }
        let hasher = SHA256()
        let blockByteCount = 1 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: blockByteCount, alignment: 64)
        defer { unsafe block.deallocate() }
        while true {
            let readCount = unsafe read(descriptor, block, blockByteCount)
            if readCount < 0 {
                if errno == EINTR { continue }
                throw .fileUnreadable(path: path, reason: Self.systemMessage())
            }
            if readCount == 0 { break }
            unsafe hasher.update(UnsafeRawBufferPointer(start: block, count: readCount))
        }
        return hasher.finalize()
    }

    fileprivate static func systemMessage() -> String {
        unsafe String(cString: strerror(errno))
    }
}

/// Owns one read-only private mapping of a whole file (`mmap` / `munmap`).
@safe final class FileMapping: @unchecked Sendable {
    let base: UnsafeRawPointer
    let byteCount: Int
    /// Kept open for `pread` (reading a few rows without mapping their pages into this process).
    let descriptor: Int32

    init(path: String) throws(EmbeddingError) {
        let descriptor = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: SafetensorsFile.systemMessage()) }
        var isMapped = false
        defer { if !isMapped { close(descriptor) } }
        var status = stat()
        guard unsafe fstat(descriptor, &status) == 0 else { throw .fileUnreadable(path: path, reason: SafetensorsFile.systemMessage()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .fileUnreadable(path: path, reason: "not a regular file") }
        let byteCount = Int(status.st_size)
        guard byteCount >= 8 else { throw .fileTooSmall(path: path, byteCount: byteCount) }
        let mapped = unsafe mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address = unsafe mapped, unsafe address != MAP_FAILED else {
            throw .fileUnreadable(path: path, reason: "mmap failed: \(SafetensorsFile.systemMessage())")
        }
        unsafe self.base = UnsafeRawPointer(address)
        self.byteCount = byteCount
        self.descriptor = descriptor
        isMapped = true
    }

    deinit {
        _ = unsafe munmap(UnsafeMutableRawPointer(mutating: base), byteCount)
        close(descriptor)
    }
}
