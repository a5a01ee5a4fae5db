import Foundation
@testable import Embeddings

/// Scratch files for tests: a fresh directory per value, removed when it is released.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("embeddings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` inside the directory and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }
}

/// Builds safetensors files byte by byte, so tests can damage them precisely.
enum SafetensorsBytes {
    /// The 8-byte little-endian header length, the header, then the data.
    static func file(header: String, data: [UInt8], declaredHeaderByteCount: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        let length = declaredHeaderByteCount ?? UInt64(json.count)
        return littleEndianBytes(length, count: 8) + json + data
    }

    /// Little-endian bytes of `values` as F32.
    static func float32(_ values: [Float]) -> [UInt8] {
        values.flatMap { littleEndianBytes(UInt64($0.bitPattern), count: 4) }
    }

    static func littleEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// A header entry: `"name": {"dtype": …, "shape": […], "data_offsets": [begin, end]}`.
    static func entry(_ name: String, _ dtype: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        "\"\(name)\": {\"dtype\": \"\(dtype)\", \"shape\": \(shape), \"data_offsets\": [\(begin), \(end)]}"
    }

    /// A valid file with tensor `a` (2×2 F32) then `b` (3 F32), and metadata.
    static func valid() -> [UInt8] {
        let header = "{\"__metadata__\": {\"format\": \"pt\"}, " + entry("a", "F32", [2, 2], 0, 16) + ", " + entry("b", "F32", [3], 16, 28) + "}"
        return file(header: header, data: float32([1, 2, 3, 4, 5, 6, 7]))
    }

    /// A complete sentence-transformers folder for a tiny random BERT (deterministic weights),
    /// with `configOverrides` spliced into config.json.
    static func tinyModelFolder(in directory: ScratchDirectory, hidden: Int = 16, heads: Int = 2, layers: Int = 2,
                                intermediate: Int = 32, configOverrides: [String: String] = [:], omitting omitted: String? = nil) throws {
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "policy", "leave", "##s", "day", ".", "?"]
        let positions = 32
        var tensors: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [vocabulary.count, hidden]),
            ("embeddings.position_embeddings.weight", [positions, hidden]),
            ("embeddings.token_type_embeddings.weight", [2, hidden]),
            ("embeddings.LayerNorm.weight", [hidden]), ("embeddings.LayerNorm.bias", [hidden]),
        ]
        for layer in 0..<layers {
            let p = "encoder.layer.\(layer)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                tensors += [(p + name + ".weight", [hidden, hidden]), (p + name + ".bias", [hidden])]
            }
            tensors += [(p + "attention.output.LayerNorm.weight", [hidden]), (p + "attention.output.LayerNorm.bias", [hidden]),
                        (p + "intermediate.dense.weight", [intermediate, hidden]), (p + "intermediate.dense.bias", [intermediate]),
                        (p + "output.dense.weight", [hidden, intermediate]), (p + "output.dense.bias", [hidden]),
                        (p + "output.LayerNorm.weight", [hidden]), (p + "output.LayerNorm.bias", [hidden])]
        }
        tensors.removeAll { $0.0 == omitted }
        var entries: [String] = []
        var data: [UInt8] = []
        var random = SeededRandom(seed: 42)
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            let values: [Float] = name.hasSuffix("LayerNorm.weight") ? Array(repeating: 1, count: count)
                : (0..<count).map { _ in random.nextFloat() * 0.2 - 0.1 }
            entries.append(entry(name, "F32", shape, data.count, data.count + 4 * count))
            data += float32(values)
        }
        try directory.write("model.safetensors", file(header: "{" + entries.joined(separator: ", ") + "}", data: data))
        try directory.write("vocab.txt", vocabulary.joined(separator: "\n") + "\n")
        // config.json as ordered pairs of key and JSON literal, with the overrides substituted.
        let settings: [(String, String)] = [
            ("model_type", "\"bert\""), ("hidden_act", "\"gelu\""), ("position_embedding_type", "\"absolute\""),
            ("hidden_size", "\(hidden)"), ("num_attention_heads", "\(heads)"), ("num_hidden_layers", "\(layers)"),
            ("intermediate_size", "\(intermediate)"), ("layer_norm_eps", "1e-12"), ("vocab_size", "\(vocabulary.count)"),
            ("max_position_embeddings", "\(positions)"), ("type_vocab_size", "2"),
        ]
        let config = settings.map { "\"\($0.0)\": \(configOverrides[$0.0] ?? $0.1)" }.joined(separator: ", ")
        try directory.write("config.json", "{" + config + "}")
        try directory.write("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """)
        try directory.write("sentence_bert_config.json", "{\"max_seq_length\": 16, \"do_lower_case\": false}")
        try directory.write("1_Pooling/config.json", "{\"word_embedding_dimension\": \(hidden), \"pooling_mode_mean_tokens\": true}")
    }
}

/// SplitMix64: a small seeded generator, so synthetic weights are the same on every run.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
