import Foundation
import IndexCompiler
import Testing
import TestSupport

/// The real model for the compiler's tests: `POLICYQA_MODEL_DIR`, else `models/all-MiniLM-L6-v2`
/// in the package. Absent, the tests that need it fail (never skip) and say how to get it.
enum TestModel {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["POLICYQA_MODEL_DIR"], !path.isEmpty { return path }
        return packageRoot().appendingPathComponent("models/all-MiniLM-L6-v2").path
    }

    static let shared: Result<ModelEmbedder, CompileError> = Result { () throws(CompileError) in try ModelEmbedder(folder: path) }

    static func embedder(sourceLocation: SourceLocation = #_sourceLocation) throws -> ModelEmbedder {
        switch shared {
        case .success(let embedder): return embedder
        case .failure(let error):
            Issue.record("the model is not available at \(path) (\(error)); run tools/fetch-model, or set POLICYQA_MODEL_DIR",
                         sourceLocation: sourceLocation)
            throw error
        }
    }
}

/// Counts `embed` and `encode` calls, to prove what the cache saves.
final class CountingEmbedder: ChunkEmbedding, @unchecked Sendable {
    let base: ModelEmbedder
    private let lock = NSLock()
    private var texts: [String] = []

    init(_ base: ModelEmbedder, identityOverride: String? = nil) {
        self.base = base
        self.identityOverride = identityOverride
    }

    var modelName: String { base.modelName }
    var fingerprint: String { base.fingerprint }
    var cacheIdentity: String { identityOverride ?? base.cacheIdentity }
    var reducedPrecision: String? { base.reducedPrecision }
    /// Another cache identity with the same fingerprint, as after a change to the encoder's kernels.
    var identityOverride: String?
    var dimension: Int { base.dimension }
    var maximumTokenCount: Int { base.maximumTokenCount }
    func tokenCount(_ text: String) -> Int { base.tokenCount(text) }
    func embed(_ text: String) -> [Float] {
        lock.withLock { texts.append(text) }
        return base.embed(text)
    }
    var makesTokenSignatures: Bool { base.makesTokenSignatures }
    func encode(_ text: String) -> EmbeddingCache.Entry {
        lock.withLock { texts.append(text) }
        return base.encode(text)
    }
    var embeddedTexts: [String] { lock.withLock { texts } }
}
