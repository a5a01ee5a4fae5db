#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import Embeddings

/// Locates the real model for the tests that need it: `POLICYQA_MODEL_DIR`, else
/// `<package root>/models/all-MiniLM-L6-v2`. Absent, those tests fail (never skip) and say how to get it.
enum ModelFolder {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/EmbeddingsTests/ModelFolder.swift
        return url.path
    }()

    static var path: String {
        if let path = ProcessInfo.processInfo.environment["POLICYQA_MODEL_DIR"], !path.isEmpty { return path }
        return packageRoot + "/models/all-MiniLM-L6-v2"
    }

    /// The embedder, loaded once per test process.
    static let shared: Result<SentenceEmbedder, EmbeddingError> = Result { () throws(EmbeddingError) in
        try SentenceEmbedder(folder: path)
    }

    /// The same model with Float16 layer weights.
    static let sharedHalf: Result<SentenceEmbedder, EmbeddingError> = Result { () throws(EmbeddingError) in
        try SentenceEmbedder(folder: path, precision: .float16)
    }

    /// The same model with bfloat16 layer weights (Float16 on a CPU without AVX512_BF16).
    static let sharedBFloat16: Result<SentenceEmbedder, EmbeddingError> = Result { () throws(EmbeddingError) in
        try SentenceEmbedder(folder: path, precision: .bfloat16)
    }

    /// The loaded embedder, or a recorded failure saying to run tools/fetch-model.
    static func embedder(precision: WeightPrecision = .float32, sourceLocation: SourceLocation = #_sourceLocation) throws -> SentenceEmbedder {
        let loaded = switch precision {
        case .float32: shared
        case .float16: sharedHalf
        case .bfloat16: sharedBFloat16
        }
        switch loaded {
        case .success(let embedder): return embedder
        case .failure(let error):
            Issue.record("the model is not available at \(path) (\(error)); run tools/fetch-model, or set POLICYQA_MODEL_DIR",
                         sourceLocation: sourceLocation)
            throw error
        }
    }
}

extension ModelFolder {
    /// The fingerprint of the files tools/fetch-model installs (recorded once from them).
    static let pinnedFingerprintHex = "8aa3dc636f7ffca77b0a9e3cd2ab489d8ba525ce694d7bd386274b21598944e8"
}
