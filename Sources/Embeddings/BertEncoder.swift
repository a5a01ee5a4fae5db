/// A BERT encoder (embeddings, then `layerCount` post-LayerNorm transformer layers) over weights
/// viewed in place in a mapped safetensors file.
///
/// Texts of different lengths are packed row after row into one (tokens, hidden) matrix rather
/// than padded: every row-wise step (linear layers, LayerNorm, GELU) runs once over all of them,
/// and attention runs per text over its own rows only, which is exactly what BERT's padding mask
/// computes, without the padded rows. Immutable, so one encoder can serve many threads.
public struct BertEncoder: Sendable {
    public let configuration: BertConfiguration
    public let precision: WeightPrecision

    /// One linear layer: Float32 weights viewed in the mapping (our kernel for a few rows, OpenBLAS
    /// for many), or a bfloat16 or Float16 copy.
    struct Linear: Sendable {
        var weight: FloatTensor
        var bias: FloatTensor
        var half: HalfMatrix?
        var packedBFloat16: BFloat16Matrix?

        /// output (rows, out) ← input (rows, in) · weightᵀ + bias.
        func apply(_ input: [Float], rows: Int, into output: inout [Float]) {
            if let packedBFloat16 {
                packedBFloat16.linear(input, rows: rows, bias: bias, into: &output)
            } else if let half {
                half.linear(input, rows: rows, bias: bias, into: &output)
            } else if rows < Kernels.fewRowsLimit && weight.shape[1] % 8 == 0 && weight.shape[0] % 4 == 0 {
                Kernels.linearFewRows(input, rows: rows, weight: weight, bias: bias, into: &output)
            } else {
                BLAS.linear(input, rows: rows, weight: weight, bias: bias, into: &output)
            }
        }
    }

    struct Layer: Sendable {
        var query, key, value, attentionOutput, intermediate, output: Linear
        var attentionNormGamma, attentionNormBeta, outputNormGamma, outputNormBeta: FloatTensor
    }

    /// The mapped file, for reading word- and position-embedding rows with `pread` in the reduced modes.
    let file: SafetensorsFile
    let wordEmbeddingName, positionEmbeddingName: String
    let wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNormGamma, embeddingNormBeta: FloatTensor
    let layers: [Layer]

    /// Views every weight `configuration` implies in `file`, checking names and shapes.
    /// Tensor names may carry a `bert.` prefix (models saved from BertForPreTraining and the like).
    /// With `.float16` or `.bfloat16`, the layers' matrices are rounded into 16-bit copies and the
    /// mapping's pages are released, so the process keeps 21 MB of weights resident instead of
    /// 42 MB (MiniLM-L6). `.bfloat16` needs AVX512_BF16 (`BFloat16Matrix.isSupported`) and a
    /// shape the kernel takes; elsewhere that layer gets `.float16`'s Float16 copy instead.
    public init(file: SafetensorsFile, configuration: BertConfiguration, precision: WeightPrecision = .float32) throws(EmbeddingError) {
        BLAS.useCallingThreadOnly()
        self.configuration = configuration
        self.precision = precision
        let isReduced = precision != .float32
        let prefix = file.header["embeddings.word_embeddings.weight"] == nil && file.header["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let hidden = configuration.hiddenSize, inner = configuration.intermediateSize
        // In the reduced modes, every tensor but the embedding tables ends up in memory of its own
        // (the small ones copied here), so the mapping's pages can all be released.
        func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingError) -> FloatTensor {
            let tensor = try file.floatTensor(prefix + name, expectedShape: shape)
            guard isReduced && shape.count == 1 else { return tensor }
            defer { file.releaseResidentPages() }   // a read maps a whole page-cache folio, up to 2 MiB
            return tensor.copied()
        }
        self.file = file
        wordEmbeddingName = prefix + "embeddings.word_embeddings.weight"
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [configuration.vocabularySize, hidden])
        // Position rows are read with pread in the reduced modes too: the 786 KB table stays out of memory.
        positionEmbeddingName = prefix + "embeddings.position_embeddings.weight"
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [configuration.maximumPositionCount, hidden])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [configuration.tokenTypeCount, hidden])
            .copied(if: isReduced)
        if isReduced { file.releaseResidentPages() }
        embeddingNormGamma = try tensor("embeddings.LayerNorm.weight", [hidden])
        embeddingNormBeta = try tensor("embeddings.LayerNorm.bias", [hidden])
        var layers: [Layer] = []
        for index in 0..<configuration.layerCount {
            let p = "encoder.layer.\(index)."
            func linear(_ name: String, out: Int, in: Int) throws(EmbeddingError) -> Linear {
                let weight = try tensor(p + name + ".weight", [out, `in`])
                let fullName = prefix + p + name + ".weight"
                let usesBFloat16 = precision == .bfloat16 && BFloat16Matrix.isSupported && BFloat16Matrix.accepts(outWidth: out, inWidth: `in`)
                let packedBFloat16 = usesBFloat16 ? BFloat16Matrix(weight, named: fullName, in: file) : nil
                let half = isReduced && !usesBFloat16 ? HalfMatrix(weight, named: fullName, in: file) : nil
                return Linear(weight: weight, bias: try tensor(p + name + ".bias", [out]), half: half, packedBFloat16: packedBFloat16)
            }
            layers.append(Layer(
                query: try linear("attention.self.query", out: hidden, in: hidden),
                key: try linear("attention.self.key", out: hidden, in: hidden),
                value: try linear("attention.self.value", out: hidden, in: hidden),
                attentionOutput: try linear("attention.output.dense", out: hidden, in: hidden),
                intermediate: try linear("intermediate.dense", out: inner, in: hidden),
                output: try linear("output.dense", out: hidden, in: inner),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [hidden]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [hidden]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [hidden]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [hidden])
            ))
        }
        self.layers = layers
        guard hidden % 8 == 0, inner % 8 == 0 else {
            throw .unsupportedConfiguration(path: file.path, setting: "hidden_size and intermediate_size", value: "\(hidden) and \(inner)",
                                            supported: "multiples of 8")
        }
        if isReduced { file.releaseResidentPages() }
    }

    /// The final hidden states (total tokens, hidden) of `sequences` packed in order.
    /// - Precondition: every sequence is non-empty, no longer than `maximumPositionCount`, and its
    ///   ids are below `vocabularySize` (the tokenizer guarantees all three).
    public func hiddenStates(for sequences: [[Int32]]) -> [Float] {
        let hidden = configuration.hiddenSize, inner = configuration.intermediateSize
        let headSize = configuration.headSize, epsilon = configuration.layerNormEpsilon
        let lengths = sequences.map(\.count)
        precondition(lengths.allSatisfy { $0 > 0 && $0 <= configuration.maximumPositionCount })
        let rows = lengths.reduce(0, +)
        let longest = lengths.max() ?? 0
        // Buffers, shapes in (rows, columns), row-major:
        var state = [Float](repeating: 0, count: rows * hidden)          // (rows, hidden): the residual stream
        var query = [Float](repeating: 0, count: rows * hidden)          // (rows, hidden)
        var key = [Float](repeating: 0, count: rows * hidden)            // (rows, hidden)
        var value = [Float](repeating: 0, count: rows * hidden)          // (rows, hidden)
        var context = [Float](repeating: 0, count: rows * hidden)        // (rows, hidden): heads side by side
        var projected = [Float](repeating: 0, count: rows * hidden)      // (rows, hidden)
        var expanded = [Float](repeating: 0, count: rows * inner)        // (rows, intermediate)
        var scores = [Float](repeating: 0, count: longest * longest)     // (n, n): one head of one text

        // Word embedding rows: read with pread in the reduced modes, so the 47 MB table never
        // becomes resident; copied from the mapping otherwise.
        var row = 0
        for sequence in sequences {
            for id in sequence {
                precondition(id >= 0 && Int(id) < configuration.vocabularySize, "token id \(id) outside the vocabulary")
                if precision != .float32 {
                    file.readRow(Int(id), of: wordEmbeddings, named: wordEmbeddingName, into: &state, at: row * hidden)
                } else {
                    for column in 0..<hidden { state[row * hidden + column] = wordEmbeddings[Int(id) * hidden + column] }
                }
                row += 1
            }
        }
        var positions = positionEmbeddings
        if precision != .float32 {
            var rows = [Float](repeating: 0, count: longest * hidden)   // (longest, hidden), in one read
            file.readRows(0..<longest, of: positionEmbeddings, named: positionEmbeddingName, into: &rows, at: 0)
            positions = FloatTensor(rows, shape: [longest, hidden])
        }
        Kernels.addPositions(lengths: lengths, position: positions, tokenType: tokenTypeEmbeddings, width: hidden, into: &state)
        Kernels.layerNorm(&state, adding: nil, rows: rows, width: hidden, gamma: embeddingNormGamma, beta: embeddingNormBeta, epsilon: epsilon)
        // 1/√(head size): scaled dot-product attention.
        let scale = 1 / Float(headSize).squareRoot()
        for layer in layers {
            layer.query.apply(state, rows: rows, into: &query)
            layer.key.apply(state, rows: rows, into: &key)
            layer.value.apply(state, rows: rows, into: &value)
            var firstRow = 0
            for n in lengths {
                for head in 0..<configuration.headCount {
                    let column = head * headSize
                    BLAS.attentionScores(query: query, key: key, firstRow: firstRow, rows: n, column: column, width: headSize,
                                         stride: hidden, scale: scale, into: &scores)
                    Kernels.softmaxRows(&scores, rows: n, width: n)
                    BLAS.attentionContext(probabilities: scores, value: value, firstRow: firstRow, rows: n, column: column,
                                          width: headSize, stride: hidden, into: &context)
                }
                firstRow += n
            }
            layer.attentionOutput.apply(context, rows: rows, into: &projected)
            Kernels.layerNorm(&projected, adding: state, rows: rows, width: hidden,
                              gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta, epsilon: epsilon)
            swap(&state, &projected)
            layer.intermediate.apply(state, rows: rows, into: &expanded)
            Kernels.gelu(&expanded, count: rows * inner)
            layer.output.apply(expanded, rows: rows, into: &projected)
            Kernels.layerNorm(&projected, adding: state, rows: rows, width: hidden,
                              gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: epsilon)
            swap(&state, &projected)
        }
        return state
    }
}

/// The precision of the encoder layers' weights.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// As stored: vectors match sentence-transformers within 1e-4 (the compiler's choice).
    case float32
    /// Rounded to Float16 at load: half the resident weights and memory traffic, for the daemon's
    /// questions; vectors keep cosine ≥ 0.9995 with Float32 (GoldenEmbeddingTests reports the figure).
    case float16
    /// Rounded to bfloat16 at load, inputs rounded to bfloat16 in each product (AVX512_BF16's
    /// `vdpbf16ps`): as much memory as `.float16`, about 3× faster for a question; vectors keep
    /// cosine ≥ 0.9995 with the reference (GoldenEmbeddingTests reports the figure). On a CPU
    /// without AVX512_BF16 it is `.float16`.
    case bfloat16

    /// What a request for this precision runs on this CPU: `.bfloat16` is `.float16` without
    /// AVX512_BF16, and the vectors differ accordingly (caches and manifests record this value).
    public var effective: WeightPrecision {
        self == .bfloat16 && !BFloat16Matrix.isSupported ? .float16 : self
    }
}
