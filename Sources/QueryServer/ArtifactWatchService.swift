#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import ServiceLifecycle

/// Reloads the artifact when its file changes, as SIGHUP does.
///
/// Polls the file's identity (inode, size, modification time) every few seconds: a deploy renames
/// a new file over the old one, which inotify would report only on the folder, and polling a stat
/// costs nothing. A file that fails verification is not retried until it changes again.
struct ArtifactWatchService: Service {
    let state: ServerState
    let interval: Duration

    func run() async throws {
        var seen = FileIdentity(path: state.store.path)
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return   // shutdown or cancellation
            }
            let now = FileIdentity(path: state.store.path)
            guard now != seen else { continue }
            seen = now
            guard now != nil else {
                // Gone for now (a deploy between unlink and rename?): keep serving what is mapped.
                state.logger.warning("the artifact file disappeared; still serving the mapped one",
                                     metadata: ["path": "\(state.store.path)"])
                continue
            }
            state.logger.notice("the artifact file changed", metadata: ["path": "\(state.store.path)"])
            await ReloadService.reload(state)
        }
    }
}

/// What tells one version of a file from the next without reading it.
struct FileIdentity: Equatable {
    var fileNumber: UInt64
    var byteCount: UInt64
    var modified: Date

    /// Nil when the file cannot be examined (missing, no permission).
    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let byteCount = Self.unsigned(attributes[.size]),
              let modified = attributes[.modificationDate] as? Date
        else { return nil }
        self.fileNumber = Self.unsigned(attributes[.systemFileNumber]) ?? 0
        self.byteCount = byteCount
        self.modified = modified
    }

    /// Foundation's attribute dictionary types its numbers differently across platforms.
    private static func unsigned(_ value: Any?) -> UInt64? {
        switch value {
        case let number as UInt64: number
        case let number as UInt: UInt64(number)
        case let number as Int64: UInt64(clamping: number)
        case let number as Int: UInt64(clamping: number)
        default: nil
        }
    }
}
