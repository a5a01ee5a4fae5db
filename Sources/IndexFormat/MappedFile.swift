// Unsafe code allowed here: this type owns the read-only mapping every reader view points into.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped read-only (`open`, `fstat`, `mmap(PROT_READ, MAP_PRIVATE)`), or a private heap
/// copy of some bytes for tests and fuzzing. Unmapped (or freed) in `deinit`; nothing to close.
///
/// The descriptor stays open so `currentByteCount()` can notice a file that shrank under the
/// mapping (touching pages past a shrunken end would raise SIGBUS).
@safe final class MappedFile: @unchecked Sendable {
    let path: String
    let byteCount: Int
    private let base: UnsafeMutableRawPointer?
    private let descriptor: Int32
    private let isMapped: Bool

    init(path: String) throws(ArtifactError) {
        self.path = path
        let descriptor = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.lastErrorText()) }
        var status = stat()
        guard unsafe fstat(descriptor, &status) == 0 else {
            let reason = Self.lastErrorText()
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .notARegularFile(path: path)
        }
        let byteCount = Int(status.st_size)
        var base: UnsafeMutableRawPointer? = nil
        if byteCount > 0 {
            let address = unsafe mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, descriptor, 0)
            guard unsafe address != MAP_FAILED, let address = unsafe address else {
                let reason = Self.lastErrorText()
                close(descriptor)
                throw .cannotOpen(path: path, reason: "mmap failed: \(reason)")
            }
            unsafe base = address
        }
        unsafe self.base = base
        self.byteCount = byteCount
        self.descriptor = descriptor
        self.isMapped = true
    }

    /// A heap copy of `bytes`, aligned like a mapping, for in-memory readers.
    init(copying bytes: [UInt8]) {
        path = "<memory>"
        byteCount = bytes.count
        descriptor = -1
        isMapped = false
        if bytes.isEmpty {
            unsafe base = nil
        } else {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 4096)
            unsafe bytes.withUnsafeBytes { source in unsafe buffer.copyMemory(from: source.baseAddress!, byteCount: source.count) }
            unsafe base = buffer
        }
    }

    deinit {
        if let base = unsafe base {
            if isMapped { unsafe _ = munmap(base, byteCount) } else { unsafe base.deallocate() }
        }
        if descriptor >= 0 { close(descriptor) }
    }

    /// The whole file. Valid while this object lives.
    var bytes: UnsafeRawBufferPointer {
        unsafe UnsafeRawBufferPointer(start: base, count: byteCount)
    }

    /// Bounds-checked reads over the whole file.
    var reader: ByteReader { unsafe ByteReader(bytes) }

    /// The file's size now (`fstat` on the open descriptor); equal to `byteCount` unless someone
    /// rewrote the file in place.
    func currentByteCount() -> Int {
        guard descriptor >= 0 else { return byteCount }
        var status = stat()
        guard unsafe fstat(descriptor, &status) == 0 else { return -1 }
        return Int(status.st_size)
    }

    /// Drops this process's page-table entries for the mapping (`madvise(MADV_DONTNEED)`); the
    /// pages stay in the kernel's page cache and come back on the next touch, with the same bytes
    /// (the mapping is private and never written). Nothing happens to heap copies.
    func releaseResidentPages() {
        guard isMapped, let base = unsafe base else { return }
        unsafe _ = madvise(base, byteCount, MADV_DONTNEED)
    }

    /// `count` little-endian UInt64 values at `offset`, read with `pread` rather than through the
    /// mapping, so the pages they come from stay in the page cache without counting as this
    /// process's resident memory (heap copies are read directly). `section` names the caller in errors.
    func readUInt64s(at offset: Int, count: Int, in section: SectionKind) throws(ArtifactError) -> [UInt64] {
        let (length, overflow) = count.multipliedReportingOverflow(by: 8)
        let (end, pastEnd) = offset.addingReportingOverflow(overflow ? 0 : length)
        guard count >= 0, offset >= 0, !overflow, !pastEnd, end <= byteCount else {
            throw .malformedSection(section: section, byteOffset: max(0, offset),
                                    reason: "a read of \(count) 8-byte values runs past the end of the \(byteCount)-byte file")
        }
        guard isMapped else { return try reader.uint64s(at: offset, count: count, in: section) }
        var values = [UInt64](repeating: 0, count: count)
        var done = 0
        while done < length {
            let read = unsafe values.withUnsafeMutableBytes { buffer in
                unsafe pread(descriptor, buffer.baseAddress! + done, length - done, off_t(offset + done))
            }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else {
                throw .cannotOpen(path: path, reason: "reading \(length) bytes of the \(section) section at byte \(offset) failed: \(read < 0 ? Self.lastErrorText() : "the file ended early")")
            }
            done += read
        }
        return values.map { UInt64(littleEndian: $0) }
    }

    /// `strerror(errno)`, for messages.
    static func lastErrorText() -> String {
        unsafe String(cString: strerror(errno))
    }
}
