#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The encoder's shape, from a Hugging Face `config.json`, checked for what this encoder can run.
public struct BertConfiguration: Sendable, Equatable {
    public var hiddenSize: Int
    public var headCount: Int
    public var layerCount: Int
    public var intermediateSize: Int
    /// `layer_norm_eps` (1e-12 for MiniLM).
    public var layerNormEpsilon: Float
    public var vocabularySize: Int
    public var maximumPositionCount: Int
    public var tokenTypeCount: Int
    public var headSize: Int { hiddenSize / headCount }

    public init(hiddenSize: Int, headCount: Int, layerCount: Int, intermediateSize: Int, layerNormEpsilon: Float,
                vocabularySize: Int, maximumPositionCount: Int, tokenTypeCount: Int) {
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.layerCount = layerCount
        self.intermediateSize = intermediateSize
        self.layerNormEpsilon = layerNormEpsilon
        self.vocabularySize = vocabularySize
        self.maximumPositionCount = maximumPositionCount
        self.tokenTypeCount = tokenTypeCount
    }

    /// Parses and checks `config.json`'s bytes. `path` labels errors.
    public init(json: Data, path: String) throws(EmbeddingError) {
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: json)
        } catch {
            throw .invalidConfiguration(path: path, reason: "not the JSON of a transformers config (\(error))")
        }
        func unsupported(_ setting: String, _ value: String, _ supported: String) -> EmbeddingError {
            .unsupportedConfiguration(path: path, setting: setting, value: value, supported: supported)
        }
        if let type = raw.modelType, !["bert"].contains(type) { throw unsupported("model_type", type, "bert") }
        let activation = raw.hiddenAct ?? "gelu"
        guard activation == "gelu" else { throw unsupported("hidden_act", activation, "gelu (exact, erf-based)") }
        let positions = raw.positionEmbeddingType ?? "absolute"
        guard positions == "absolute" else { throw unsupported("position_embedding_type", positions, "absolute") }
        if raw.isDecoder == true { throw unsupported("is_decoder", "true", "false") }
        guard let hidden = raw.hiddenSize, let heads = raw.numAttentionHeads, let layers = raw.numHiddenLayers,
              let intermediate = raw.intermediateSize, let vocabulary = raw.vocabSize, let positionCount = raw.maxPositionEmbeddings
        else {
            throw .invalidConfiguration(path: path, reason: "one of hidden_size, num_attention_heads, num_hidden_layers, intermediate_size, vocab_size, max_position_embeddings is missing")
        }
        for (name, value) in [("hidden_size", hidden), ("num_attention_heads", heads), ("num_hidden_layers", layers),
                              ("intermediate_size", intermediate), ("vocab_size", vocabulary), ("max_position_embeddings", positionCount)]
        where value <= 0 || value > 1 << 20 {
            throw unsupported(name, "\(value)", "a positive size up to 2^20")
        }
        guard hidden % heads == 0 else {
            throw unsupported("hidden_size", "\(hidden) with \(heads) attention heads", "a hidden size divisible by num_attention_heads")
        }
        let epsilon = raw.layerNormEps ?? 1e-12
        guard epsilon > 0, epsilon < 1 else { throw unsupported("layer_norm_eps", "\(epsilon)", "a small positive number") }
        self.init(hiddenSize: hidden, headCount: heads, layerCount: layers, intermediateSize: intermediate,
                  layerNormEpsilon: Float(epsilon), vocabularySize: vocabulary, maximumPositionCount: positionCount,
                  tokenTypeCount: raw.typeVocabSize ?? 2)
    }

    private struct Raw: Decodable {
        var modelType: String?
        var hiddenAct: String?
        var positionEmbeddingType: String?
        var isDecoder: Bool?
        var hiddenSize: Int?
        var numAttentionHeads: Int?
        var numHiddenLayers: Int?
        var intermediateSize: Int?
        var layerNormEps: Double?
        var vocabSize: Int?
        var maxPositionEmbeddings: Int?
        var typeVocabSize: Int?

        enum CodingKeys: String, CodingKey {
            case modelType = "model_type", hiddenAct = "hidden_act", positionEmbeddingType = "position_embedding_type"
            case isDecoder = "is_decoder", hiddenSize = "hidden_size", numAttentionHeads = "num_attention_heads"
            case numHiddenLayers = "num_hidden_layers", intermediateSize = "intermediate_size", layerNormEps = "layer_norm_eps"
            case vocabSize = "vocab_size", maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        }
    }
}
