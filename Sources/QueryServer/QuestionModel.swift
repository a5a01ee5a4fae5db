import Embeddings
import Logging
import Synchronization

/// The embedding model, mapped on the first question and reused after.
///
/// Loading maps the weights and takes the model files' fingerprint, which `startFingerprinting`
/// computes ahead, from the daemon's start: hashing 90 MB takes about as long as preparing the
/// weights, and the first question should wait for only one of them. Every use compares that
/// fingerprint with the artifact being served (it may change on reload): vectors from another
/// model are not comparable, so a mismatch answers nothing. `/ready` reports model problems only
/// once a question has asked for the model.
package final class QuestionModel: Sendable {
    package struct Loaded: Sendable {
        package let embedder: SentenceEmbedder
        package let fingerprint: String
    }

    package enum State: Sendable {
        case notRequested
        case loading(Task<Result<Loaded, QueryError>, Never>)
        case loaded(Loaded)
        /// The last attempt failed; the next question tries again (someone may have fetched the model).
        case failed(QueryError)
    }

    package let folder: String
    private let state = Mutex(State.notRequested)
    /// The fingerprint being computed or computed (with how long it took); cleared when it failed.
    private let fingerprinting = Mutex<Task<Result<(ModelFingerprint, Duration), EmbeddingError>?, Never>?>(nil)
    private let logger: Logger

    package init(folder: String, logger: Logger) {
        self.folder = folder
        self.logger = logger
    }

    package var currentState: State { state.withLock { $0 } }

    /// Starts hashing the model's files in the background (read in blocks; only the digest is
    /// kept), unless that has started already.
    package func startFingerprinting() { _ = fingerprintTask() }

    /// Waits for the background hashing to end, so the process never exits in the middle of it
    /// (exit() cleans libcrypto up under the hashing thread's feet).
    package func finishBackgroundWork() async {
        _ = await fingerprinting.withLock({ $0 })?.value
    }

    private func fingerprintTask() -> Task<Result<(ModelFingerprint, Duration), EmbeddingError>?, Never> {
        fingerprinting.withLock { running in
            if let running { return running }
            let folder = self.folder
            let task = Task {
                try? await BlockingWork.run { () -> Result<(ModelFingerprint, Duration), EmbeddingError> in
                    let started = ContinuousClock.now
                    return Result { () throws(EmbeddingError) in (try ModelFingerprint(folder: folder), .now - started) }
                }
            }
            running = task
            return task
        }
    }

    /// The embedder, when it is loaded and its fingerprint is `expectedFingerprint`.
    package func embedder(expectedFingerprint: String) async throws(QueryError) -> SentenceEmbedder {
        let loaded = try await load().get()
        guard loaded.fingerprint == expectedFingerprint else {
            throw .modelMismatch(folder: folder, modelFingerprint: loaded.fingerprint, artifactFingerprint: expectedFingerprint)
        }
        return loaded.embedder
    }

    /// Whether the model is usable with an artifact of `expectedFingerprint`, without loading it:
    /// nil when it is (or has not been asked for yet), else the problem.
    package func problem(expectedFingerprint: String) -> QueryError? {
        switch currentState {
        case .notRequested, .loading: nil
        case .failed(let error): error
        case .loaded(let loaded):
            loaded.fingerprint == expectedFingerprint
                ? nil
                : .modelMismatch(folder: folder, modelFingerprint: loaded.fingerprint, artifactFingerprint: expectedFingerprint)
        }
    }

    private func load() async -> Result<Loaded, QueryError> {
        enum Next { case ready(Loaded), wait(Task<Result<Loaded, QueryError>, Never>) }
        let next: Next = state.withLock { state in
            switch state {
            case .loaded(let loaded): return .ready(loaded)
            case .loading(let task): return .wait(task)
            case .notRequested, .failed:
                let task = Task { await self.loadFromDisk() }
                state = .loading(task)
                return .wait(task)
            }
        }
        switch next {
        case .ready(let loaded): return .success(loaded)
        case .wait(let task): return await task.value
        }
    }

    private func loadFromDisk() async -> Result<Loaded, QueryError> {
        let folder = self.folder
        let started = ContinuousClock.now
        // Preparing the weights and hashing the files are independent: they run on two threads.
        // bfloat16 layer weights and products (AVX512_BF16; Float16 on CPUs without it): half the
        // resident weights and about a third of the time of Float32, and questions keep cosine
        // >= 0.9995 with the reference (GoldenEmbeddingTests measures 0.99997; decision 0003).
        async let embedder = try? BlockingWork.run { () -> Result<(SentenceEmbedder, Duration), EmbeddingError> in
            let started = ContinuousClock.now
            return Result { () throws(EmbeddingError) in (try SentenceEmbedder(folder: folder, precision: .bfloat16), .now - started) }
        }
        let fingerprint = await fingerprintTask().value
        if case .success? = fingerprint {} else {
            fingerprinting.withLock { $0 = nil }   // the next question hashes again (the model may have been fetched)
        }
        let result: Result<Loaded, QueryError>
        var parts: (embedder: Duration, fingerprint: Duration) = (.zero, .zero)
        switch (await embedder, fingerprint) {
        case (.success(let (embedder, embedderTime))?, .success(let (fingerprint, fingerprintTime))?):
            parts = (embedderTime, fingerprintTime)
            result = .success(Loaded(embedder: embedder, fingerprint: fingerprint.description))
        case (.failure(let error)?, _), (_, .failure(let error)?):
            result = .failure(.modelUnavailable(folder: folder, reason: error.description))
        default:
            result = .failure(.modelUnavailable(folder: folder, reason: "loading was cancelled"))
        }
        state.withLock { state in
            switch result {
            case .success(let loaded): state = .loaded(loaded)
            case .failure(let error): state = .failed(error)
            }
        }
        switch result {
        case .success(let loaded):
            logger.notice("mapped the embedding model", metadata: [
                "folder": "\(folder)", "fingerprint": "\(loaded.fingerprint)",
                "milliseconds": "\(Milliseconds.since(started))",
                "weights_ms": "\(Milliseconds.of(parts.embedder))", "fingerprint_ms": "\(Milliseconds.of(parts.fingerprint))"])
        case .failure(let error):
            logger.error("could not load the embedding model", metadata: ["error": "\(error)"])
        }
        return result
    }
}
