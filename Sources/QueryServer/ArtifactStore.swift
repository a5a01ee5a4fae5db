import IndexFormat
import Logging
import Synchronization

/// The artifact being served, swapped atomically on reload.
///
/// `current` hands out a reference; a request keeps using the artifact it got even if a reload
/// replaces it meanwhile, and the old mapping goes away when the last such request ends.
package final class ArtifactStore: Sendable {
    package struct ReloadState: Sendable {
        package var failedReloadCount = 0
        package var lastError: String? = nil
    }

    package let path: String
    private let served: Mutex<ServedArtifact>
    private let reloadState = Mutex(ReloadState())
    /// One reload at a time; a second SIGHUP during a reload waits for it.
    private let reloading = Mutex(false)

    /// Opens the artifact at `path` (see `ServedArtifact.init`).
    package init(path: String, verifiesDigest: Bool) throws(ArtifactError) {
        self.path = path
        served = Mutex(try ServedArtifact(path: path, verifiesDigest: verifiesDigest, generation: 1))
    }

    package var current: ServedArtifact { served.withLock { $0 } }

    package var reloadStatus: ReloadState { reloadState.withLock { $0 } }

    /// Maps the file at `path` again, verifies it fully (checksums and digest), and swaps it in.
    /// A file that fails is refused: the old artifact keeps serving and the error is returned.
    /// Blocking (reads the whole file); call it off the request threads.
    package func reload(logger: Logger) -> Result<ServedArtifact, ArtifactError> {
        let claimed = reloading.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard claimed else {
            let error = ArtifactError.cannotOpen(path: path, reason: "a reload is already running; send SIGHUP again after it")
            return .failure(error)
        }
        defer { reloading.withLock { $0 = false } }
        let next = current.generation + 1
        do throws(ArtifactError) {
            let artifact = try ServedArtifact(path: path, verifiesDigest: true, generation: next)
            served.withLock { $0 = artifact }
            reloadState.withLock { $0.lastError = nil }
            logger.notice("reloaded the artifact", metadata: [
                "path": "\(path)", "digest": "\(artifact.digest)", "chunks": "\(artifact.chunkCount)", "generation": "\(next)"])
            return .success(artifact)
        } catch {
            reloadState.withLock {
                $0.failedReloadCount += 1
                $0.lastError = error.description
            }
            logger.error("refused the new artifact; still serving the previous one", metadata: [
                "path": "\(path)", "error": "\(error)", "generation": "\(next - 1)"])
            return .failure(error)
        }
    }
}
