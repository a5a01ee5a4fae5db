import Embeddings

/// The sentence-transformers model folder as the compiler's `ChunkEmbedding`.
public struct ModelEmbedder: ChunkEmbedding {
    public let embedder: SentenceEmbedder
    public let modelName: String
    public let fingerprint: String
    /// The precision the layers run in on this CPU (`WeightPrecision.effective` of the one asked for).
    public let precision: WeightPrecision

    /// Loads the model in `folder` and computes its fingerprint (reads the weights once).
    /// `precision` chooses the layers' weights and products: `.float32` (as stored) or `.bfloat16`
    /// (AVX512_BF16, about 1.7× the chunks per second; `.float16` on CPUs without it).
    /// docs/decisions/0004-bfloat16-chunk-embeddings.md says which the compiler uses and why.
    public init(folder: String, precision: WeightPrecision = .float32) throws(CompileError) {
        self.precision = precision.effective
        do {
            embedder = try SentenceEmbedder(folder: folder, precision: precision)
            fingerprint = try embedder.fingerprint().description
        } catch {
            throw .embeddingFailed(reason: "\(error)")
        }
        let trimmed = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        modelName = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }

    public var dimension: Int { embedder.dimension }

    /// The fingerprint, the encoder's revision and a reduced precision: vectors cached by an older
    /// encoder, or in another precision, are not reused.
    public var cacheIdentity: String {
        fingerprint + " encoder-r\(EncoderRevision.current)" + (reducedPrecision.map { " " + $0 } ?? "")
    }

    public var reducedPrecision: String? { precision == .float32 ? nil : precision.rawValue }

    /// `max_seq_length` minus `[CLS]` and `[SEP]`.
    public var maximumTokenCount: Int { embedder.tokenizer.maximumTokenCount - 2 }

    /// WordPiece pieces of every word, untruncated. A literal "[SEP]" in the text counts as its
    /// three pieces rather than one special token: an over-estimate, so budgets stay safe.
    public func tokenCount(_ text: String) -> Int {
        let tokenizer = embedder.tokenizer
        return tokenizer.preTokenizer.words(in: Substring(text)).reduce(0) { $0 + tokenizer.pieceIDs(forWord: $1).count }
    }

    public func embed(_ text: String) -> [Float] {
        embedder.embed(text)
    }

    public var makesTokenSignatures: Bool { true }

    /// The vector and the token signatures from one pass; the vector is `embed(text)`'s, bit for bit.
    public func encode(_ text: String) -> EmbeddingCache.Entry {
        let encoding = embedder.encode(text)
        return EmbeddingCache.Entry(vector: encoding.vector, tokens: encoding.tokens)
    }
}
