/// A BERT encoder (embeddings, then `layerCount` post-LayerNorm transformer layers) over weights
/// viewed in place in a mapped safetensors file.
///
/// Texts of different lengths are packed row after row into one (tokens, hidden) matrix rather
/// than padded: every row-wise step (linear layers, LayerNorm, GELU) runs once over all of them,
/// and attention runs per text over its own rows only, which is exactly what BERT's padding mask
/// computes, without the padded rows. Immutable, so one encoder can serve many threads.
public struct BertEncoder: Sendable {
    public let configuration: BertConfiguration

    struct Layer: Sendable {
        var query, queryBias, key, keyBias, value, valueBias: FloatTensor
        var attentionOutput, attentionOutputBias, attentionNormGamma, attentionNormBeta: FloatTensor
        var intermediate, intermediateBias, output, outputBias, outputNormGamma, outputNormBeta: FloatTensor
    }

    let wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNormGamma, embeddingNormBeta: FloatTensor
    let layers: [Layer]

    /// Views every weight `configuration` implies in `file`, checking names and shapes.
    /// Tensor names may carry a `bert.` prefix (models saved from BertForPreTraining and the like).
    public init(file: SafetensorsFile, configuration: BertConfiguration) throws(EmbeddingError) {
        self.configuration = configuration
        let prefix = file.header["embeddings.word_embeddings.weight"] == nil && file.header["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let hidden = configuration.hiddenSize, inner = configuration.intermediateSize
        func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingError) -> FloatTensor {
            try file.floatTensor(prefix + name, expectedShape: shape)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [configuration.vocabularySize, hidden])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [configuration.maximumPositionCount, hidden])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [configuration.tokenTypeCount, hidden])
        embeddingNormGamma = try tensor("embeddings.LayerNorm.weight", [hidden])
        embeddingNormBeta = try tensor("embeddings.LayerNorm.bias", [hidden])
        var layers: [Layer] = []
        for index in 0..<configuration.layerCount {
            let p = "encoder.layer.\(index)."
            layers.append(Layer(
                query: try tensor(p + "attention.self.query.weight", [hidden, hidden]),
                queryBias: try tensor(p + "attention.self.query.bias", [hidden]),
                key: try tensor(p + "attention.self.key.weight", [hidden, hidden]),
                keyBias: try tensor(p + "attention.self.key.bias", [hidden]),
                value: try tensor(p + "attention.self.value.weight", [hidden, hidden]),
                valueBias: try tensor(p + "attention.self.value.bias", [hidden]),
                attentionOutput: try tensor(p + "attention.output.dense.weight", [hidden, hidden]),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [hidden]),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [hidden]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [hidden]),
                intermediate: try tensor(p + "intermediate.dense.weight", [inner, hidden]),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [inner]),
                output: try tensor(p + "output.dense.weight", [hidden, inner]),
                outputBias: try tensor(p + "output.dense.bias", [hidden]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [hidden]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [hidden])
            ))
        }
        self.layers = layers
        guard hidden % 8 == 0 else {
            throw .unsupportedConfiguration(path: file.path, setting: "hidden_size", value: "\(hidden)", supported: "a multiple of 8")
        }
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

        Kernels.embed(ids: sequences.flatMap { $0 }, lengths: lengths, word: wordEmbeddings, position: positionEmbeddings,
                      tokenType: tokenTypeEmbeddings, width: hidden, into: &state)
        Kernels.layerNorm(&state, adding: nil, rows: rows, width: hidden, gamma: embeddingNormGamma, beta: embeddingNormBeta, epsilon: epsilon)
        // 1/√(head size): scaled dot-product attention.
        let scale = 1 / Float(headSize).squareRoot()
        for layer in layers {
            BLAS.linear(state, rows: rows, weight: layer.query, bias: layer.queryBias, into: &query)
            BLAS.linear(state, rows: rows, weight: layer.key, bias: layer.keyBias, into: &key)
            BLAS.linear(state, rows: rows, weight: layer.value, bias: layer.valueBias, into: &value)
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
            BLAS.linear(context, rows: rows, weight: layer.attentionOutput, bias: layer.attentionOutputBias, into: &projected)
            Kernels.layerNorm(&projected, adding: state, rows: rows, width: hidden,
                              gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta, epsilon: epsilon)
            swap(&state, &projected)
            BLAS.linear(state, rows: rows, weight: layer.intermediate, bias: layer.intermediateBias, into: &expanded)
            Kernels.gelu(&expanded, count: rows * inner)
            BLAS.linear(expanded, rows: rows, weight: layer.output, bias: layer.outputBias, into: &projected)
            Kernels.layerNorm(&projected, adding: state, rows: rows, width: hidden,
                              gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: epsilon)
            swap(&state, &projected)
        }
        return state
    }
}
