// Unsafe code allowed here: POSIX file output (open, write, fsync, rename) for the atomic writer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that no reader ever sees it half-written: the bytes go to `path.tmp` in the same
/// folder, which is fsynced and renamed over `path`; then the folder is fsynced so the rename survives
/// a crash. A process that has the old file mapped keeps its old pages.
enum FileOutput {
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ArtifactError) {
        let temporaryPath = path + ".tmp"
        let descriptor = unsafe open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .writeFailed(path: temporaryPath, reason: MappedFile.lastErrorText()) }
        var failure: String? = nil
        unsafe bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = unsafe write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = MappedFile.lastErrorText()
                    return
                }
                written += result
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = "fsync: " + MappedFile.lastErrorText() }
        close(descriptor)
        if let failure {
            unsafe unlink(temporaryPath)
            throw .writeFailed(path: temporaryPath, reason: failure)
        }
        guard unsafe rename(temporaryPath, path) == 0 else {
            let reason = MappedFile.lastErrorText()
            unsafe unlink(temporaryPath)
            throw .writeFailed(path: path, reason: "rename from \(temporaryPath): \(reason)")
        }
        syncFolder(containing: path)
    }

    /// Best effort: some file systems refuse fsync on a directory, and the data is already safe.
    private static func syncFolder(containing path: String) {
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let descriptor = unsafe open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
