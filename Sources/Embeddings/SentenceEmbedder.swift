#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// A sentence-transformers model run natively: WordPiece tokens, the BERT encoder, pooling and
/// (when `modules.json` says so) L2 normalisation, from a standard model folder.
///
/// The weights stay in the mapped `model.safetensors`; loading reads only the header and the small
/// JSON and vocabulary files. Immutable and `Sendable`: one embedder serves many threads.
public struct SentenceEmbedder: Sendable {
    public let folder: String
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    public let pipeline: SentenceTransformerConfiguration
    /// Length of every vector `embed` returns (`hidden_size`).
    public var dimension: Int { encoder.configuration.hiddenSize }

    /// Loads the model folder at `folder` (config.json, modules.json, sentence_bert_config.json,
    /// the pooling config, vocab.txt, model.safetensors). `precision` chooses the layers' weights:
    /// `.float32` for vectors that match the reference (the compiler), `.float16` for half the
    /// memory, `.bfloat16` for half the memory and the AVX512_BF16 kernel (the daemon's questions).
    public init(folder: String, precision: WeightPrecision = .float32) throws(EmbeddingError) {
        let configPath = folder + "/config.json"
        let configuration = try BertConfiguration(json: try SentenceTransformerConfiguration.readFile(configPath), path: configPath)
        let pipeline = try SentenceTransformerConfiguration(folder: folder)
        guard pipeline.maximumTokenCount <= configuration.maximumPositionCount else {
            throw .unsupportedConfiguration(path: folder + "/sentence_bert_config.json", setting: "max_seq_length",
                                            value: "\(pipeline.maximumTokenCount)",
                                            supported: "at most max_position_embeddings (\(configuration.maximumPositionCount))")
        }
        let vocabularyPath = folder + "/vocab.txt"
        let vocabularyData = try SentenceTransformerConfiguration.readFile(vocabularyPath)
        guard let vocabulary = String(validating: vocabularyData, as: UTF8.self) else {
            throw .invalidVocabulary(path: vocabularyPath, reason: "it is not UTF-8")
        }
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maximumTokenCount: pipeline.maximumTokenCount,
                                               lowercases: pipeline.lowercases, path: vocabularyPath)
        guard tokenizer.vocabularyLineCount <= configuration.vocabularySize else {
            throw .invalidVocabulary(path: vocabularyPath, reason: "it has \(tokenizer.vocabularyLineCount) pieces but config.json's vocab_size is \(configuration.vocabularySize)")
        }
        let file = try SafetensorsFile(path: folder + "/model.safetensors")
        self.folder = folder
        self.tokenizer = tokenizer
        self.pipeline = pipeline
        self.encoder = try BertEncoder(file: file, configuration: configuration, precision: precision)
        // One pass on the creating thread before anyone shares the embedder: the first pass
        // initialises OpenBLAS's buffers (and the runtime's lazily built type metadata), and two
        // threads making their first pass at the same moment crashed (a jump to a heap address,
        // CompilerPipelineTests with two workers). About 5 ms, once per process.
        _ = embed("warm up")
    }

    /// The token ids the encoder sees for `text` (with `[CLS]` and `[SEP]`, truncated).
    public func tokenIDs(for text: String) -> [Int32] {
        tokenizer.tokenIDs(for: text)
    }

    /// The sentence vector of one text.
    public func embed(_ text: String) -> [Float] {
        embed(tokenIDs: [tokenIDs(for: text)])[0]
    }

    /// The sentence vectors of `texts`, in order. Texts are packed into passes of at most
    /// `maximumPassTokenCount` tokens (a longer text gets a pass of its own); each vector is the
    /// same as `embed` gives for the text alone, up to float rounding in the matrix products.
    /// With `threadCount` above 1 the passes run on that many threads at once (the texts are split
    /// so there are enough passes); OpenBLAS itself always runs on the calling thread.
    public func embed(_ texts: [String], maximumPassTokenCount: Int = 2048, threadCount: Int = 1) -> [[Float]] {
        let sequences = texts.map(tokenIDs(for:))
        let totalTokenCount = sequences.reduce(0) { $0 + $1.count }
        let threads = max(1, min(threadCount, sequences.count))
        let limit = max(1, min(maximumPassTokenCount, (totalTokenCount + threads - 1) / threads))
        var passes: [[[Int32]]] = []
        var pass: [[Int32]] = []
        var passTokenCount = 0
        for sequence in sequences {
            if !pass.isEmpty && passTokenCount + sequence.count > limit {
                passes.append(pass)
                pass.removeAll(keepingCapacity: true)
                passTokenCount = 0
            }
            pass.append(sequence)
            passTokenCount += sequence.count
        }
        if !pass.isEmpty { passes.append(pass) }
        if threads == 1 { return passes.flatMap { embed(tokenIDs: $0) } }
        // Worker w takes passes w, w + threads, …; results are put back in pass order.
        let results = Mutex<[Int: [[Float]]]>([:])
        let allPasses = passes
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: allPasses.count, by: threads) {
                let vectors = embed(tokenIDs: allPasses[index])
                results.withLock { $0[index] = vectors }
            }
        }
        return results.withLock { finished in (0..<allPasses.count).flatMap { finished[$0]! } }
    }

    /// The sentence vectors of already tokenized sequences, encoded in one pass.
    public func embed(tokenIDs sequences: [[Int32]]) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let hidden = encoder.hiddenStates(for: sequences)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(sequences.count)
        var firstRow = 0
        for sequence in sequences {
            vectors.append(sentenceVector(hidden, firstRow: firstRow, rows: sequence.count))
            firstRow += sequence.count
        }
        return vectors
    }

    /// The sentence vectors and token signatures of already tokenized sequences, encoded in one
    /// pass: each vector is the one `embed(tokenIDs:)` gives, bit for bit.
    public func encode(tokenIDs sequences: [[Int32]]) -> [TextEncoding] {
        guard !sequences.isEmpty else { return [] }
        let hidden = encoder.hiddenStates(for: sequences)
        var encodings: [TextEncoding] = []
        encodings.reserveCapacity(sequences.count)
        var firstRow = 0
        for sequence in sequences {
            encodings.append(TextEncoding(
                vector: sentenceVector(hidden, firstRow: firstRow, rows: sequence.count),
                tokens: TokenSignatures(hidden: hidden, firstRow: firstRow, sequence: sequence, width: dimension)))
            firstRow += sequence.count
        }
        return encodings
    }

    /// The sentence vector and token signatures of one text.
    public func encode(_ text: String) -> TextEncoding {
        encode(tokenIDs: [tokenIDs(for: text)])[0]
    }

    private func sentenceVector(_ hidden: [Float], firstRow: Int, rows: Int) -> [Float] {
        let pooled = Kernels.pool(hidden, firstRow: firstRow, rows: rows, width: dimension, mode: pipeline.pooling)
        return pipeline.normalizes ? Kernels.l2Normalized(pooled) : pooled
    }

    /// The fingerprint of this model's files (reads them all: about 60 ms for MiniLM).
    public func fingerprint() throws(EmbeddingError) -> ModelFingerprint {
        try ModelFingerprint(folder: folder, poolingConfigurationFile: pipeline.poolingConfigurationFile)
    }
}
