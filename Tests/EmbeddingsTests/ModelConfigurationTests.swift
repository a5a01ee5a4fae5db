import Testing
@testable import Embeddings

/// Configurations the encoder cannot run must be refused with an error naming the setting,
/// never turned into a wrong vector. Uses a tiny random BERT folder written per test.
@Suite struct ModelConfigurationTests {
    @Test func tinyModelLoadsAndEmbeds() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory)
        let embedder = try SentenceEmbedder(folder: directory.path)
        #expect(embedder.tokenIDs(for: "The leaves?") == [2, 5, 7, 8, 11, 3])
        let vector = embedder.embed("The leaves?")
        #expect(vector.count == 16)
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
    }

    @Test func packedBatchEqualsTextsEmbeddedAlone() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory)
        let embedder = try SentenceEmbedder(folder: directory.path)
        let texts = ["the policy", "leave days.", "the", "policy leaves the day ? the policy", ""]
        let batch = embedder.embed(texts)
        for (text, vector) in zip(texts, batch) {
            #expect(maximumAbsoluteDifference(vector, embedder.embed(text)) <= 1e-6, "\(text)")
        }
        // A small pass limit splits the batch into several passes without changing anything.
        let split = embedder.embed(texts, maximumPassTokenCount: 4)
        for (a, b) in zip(batch, split) { #expect(maximumAbsoluteDifference(a, b) <= 1e-6) }
        // On two threads: the same vectors, in the same order.
        let parallel = embedder.embed(texts, threadCount: 2)
        for (a, b) in zip(batch, parallel) { #expect(maximumAbsoluteDifference(a, b) <= 1e-6) }
        #expect(parallel.count == texts.count)
    }

    /// Float16, and bfloat16 (whose kernel does not take the tiny model's shapes, so its layers
    /// fall back to Float16).
    @Test(arguments: [WeightPrecision.float16, .bfloat16])
    func tinyModelWithReducedWeightsStaysClose(_ precision: WeightPrecision) throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory)
        let full = try SentenceEmbedder(folder: directory.path)
        let reduced = try SentenceEmbedder(folder: directory.path, precision: precision)
        for text in ["the policy", "leave days.", ""] {
            #expect(cosine(full.embed(text), reduced.embed(text)) > 0.9995, "\(text)")
        }
    }

    static let refusals: [(overrides: [String: String], setting: String)] = [
        (["hidden_act": "\"relu\""], "hidden_act"),
        (["hidden_act": "\"gelu_new\""], "hidden_act"),
        (["position_embedding_type": "\"relative_key\""], "position_embedding_type"),
        (["model_type": "\"gpt2\""], "model_type"),
    ]

    @Test(arguments: refusals.indices)
    func unsupportedSettingIsRefused(_ index: Int) throws {
        let (overrides, setting) = Self.refusals[index]
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory, configOverrides: overrides)
        let error = #expect(throws: EmbeddingError.self) { try SentenceEmbedder(folder: directory.path) }
        guard case .unsupportedConfiguration(let path, let named, _, _) = error else {
            Issue.record("expected unsupportedConfiguration, got \(String(describing: error))")
            return
        }
        #expect(named == setting)
        #expect(path == directory.path + "/config.json")
    }

    @Test func hiddenSizeNotDivisibleByHeadsIsRefused() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory, heads: 3)
        let error = #expect(throws: EmbeddingError.self) { try SentenceEmbedder(folder: directory.path) }
        #expect(error == .unsupportedConfiguration(path: directory.path + "/config.json", setting: "hidden_size",
                                                   value: "16 with 3 attention heads", supported: "a hidden size divisible by num_attention_heads"))
        #expect("\(error!)".contains("cannot run"))
    }

    @Test func weightsThatDisagreeWithConfigAreRefused() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory, configOverrides: ["intermediate_size": "64"])
        #expect(throws: EmbeddingError.unexpectedShape(path: directory.path + "/model.safetensors", tensor: "encoder.layer.0.intermediate.dense.weight",
                                                       expected: [64, 16], found: [32, 16])) {
            try SentenceEmbedder(folder: directory.path)
        }
    }

    @Test func missingLayerTensorIsNamed() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory, omitting: "encoder.layer.1.output.dense.bias")
        #expect(throws: EmbeddingError.missingTensor(path: directory.path + "/model.safetensors", tensor: "encoder.layer.1.output.dense.bias")) {
            try SentenceEmbedder(folder: directory.path)
        }
    }

    @Test func unknownPipelineModuleIsRefused() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory)
        try directory.write("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
            """)
        let error = #expect(throws: EmbeddingError.self) { try SentenceEmbedder(folder: directory.path) }
        guard case .unsupportedConfiguration(_, "modules[2].type", "sentence_transformers.models.Dense", _) = error else {
            Issue.record("expected the Dense module to be refused, got \(String(describing: error))")
            return
        }
    }

    @Test func missingFolderSaysToFetchTheModel() {
        let error = #expect(throws: EmbeddingError.self) { try SentenceEmbedder(folder: "/nonexistent-model") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("tools/fetch-model"))
    }

    @Test func fingerprintChangesWithTheWeights() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory)
        let before = try ModelFingerprint(folder: directory.path)
        #expect(try ModelFingerprint(folder: directory.path) == before)
        try directory.write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
        #expect(try ModelFingerprint(folder: directory.path) != before)
    }
}
