import Embeddings

/// The sentence-transformers model folder as the compiler's `ChunkEmbedding`.
public struct ModelEmbedder: ChunkEmbedding {
    public let embedder: SentenceEmbedder
    public let modelName: String
    public let fingerprint: String

    /// Loads the model in `folder` and computes its fingerprint (reads the weights once).
    public init(folder: String) throws(CompileError) {
        do {
            embedder = try SentenceEmbedder(folder: folder)
            fingerprint = try embedder.fingerprint().description
        } catch {
            throw .embeddingFailed(reason: "\(error)")
        }
        let trimmed = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        modelName = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }

    public var dimension: Int { embedder.dimension }

    /// The fingerprint and the encoder's revision: vectors cached by an older encoder are not reused.
    public var cacheIdentity: String { fingerprint + " encoder-r\(EncoderRevision.current)" }

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
}
