import Foundation
import Testing
@testable import Embeddings

/// BERT models of other shapes than all-MiniLM-L6-v2 against sentence-transformers: 3 and 12
/// layers (derived from the real model by dropping or repeating layers) and a random model with
/// hidden size 24 and 3 heads of 8. tools/reference/make-variant-golden.py wrote the fixture from
/// the same folders, which these tests rebuild byte for byte.
@Suite struct ModelVariantTests {
    struct Fixture: Decodable {
        struct Sample: Decodable {
            var text: String
            var tokenIDs: [Int32]
            var embedding: [Float]
        }
        struct Variant: Decodable {
            var name: String
            var samples: [Sample]
        }
        var variants: [Variant]

        static let shared: Fixture = {
            let path = ModelFolder.packageRoot + "/Tests/EmbeddingsTests/Fixtures/golden-variants.json"
            do {
                return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                fatalError("cannot read \(path): \(error); re-run tools/reference/make-variant-golden.py")
            }
        }()

        func samples(of name: String) -> [Sample] {
            variants.first { $0.name == name }?.samples ?? []
        }
    }

    @Test(arguments: [("layers-3", [0, 1, 2]), ("layers-12", Array(0..<6) + Array(0..<6))])
    func derivedLayerCountMatchesReference(_ name: String, _ layerSources: [Int]) throws {
        let directory = try ScratchDirectory()
        try Self.writeDerivedModel(from: ModelFolder.path, layerSources: layerSources, into: directory)
        let embedder = try SentenceEmbedder(folder: directory.path)
        #expect(embedder.encoder.configuration.layerCount == layerSources.count)
        try Self.expectMatches(embedder, Fixture.shared.samples(of: name), variant: name)
    }

    @Test func randomModelOfOtherSizesMatchesReference() throws {
        let directory = try ScratchDirectory()
        try SafetensorsBytes.tinyModelFolder(in: directory, hidden: 24, heads: 3, layers: 3, intermediate: 40)
        let embedder = try SentenceEmbedder(folder: directory.path)
        #expect(embedder.encoder.configuration.headSize == 8)
        try Self.expectMatches(embedder, Fixture.shared.samples(of: "random-24x3"), variant: "random-24x3")
    }

    /// Token ids exact; one text at a time and all in one batch, cosine ≥ 0.99999 and max
    /// absolute difference ≤ 1e-4 (the Float32 path's bounds for the real model).
    static func expectMatches(_ embedder: SentenceEmbedder, _ samples: [Fixture.Sample], variant: String) throws {
        try #require(samples.count >= 6, "the fixture has no samples for \(variant)")
        let batch = embedder.embed(samples.map(\.text))
        for (sample, batched) in zip(samples, batch) {
            let label = "\(variant): \(sample.text.prefix(40))"
            #expect(embedder.tokenIDs(for: sample.text) == sample.tokenIDs, "\(label)")
            for vector in [embedder.embed(sample.text), batched] {
                #expect(vector.count == sample.embedding.count, "\(label)")
                #expect(cosine(vector, sample.embedding) >= 0.99999, "\(label)")
                #expect(maximumAbsoluteDifference(vector, sample.embedding) <= 1e-4, "\(label)")
            }
        }
    }

    /// The model folder at `source` with encoder layer i taken from layer `layerSources[i]`, as
    /// make-variant-golden.py's `derived_layers` writes it.
    static func writeDerivedModel(from source: String, layerSources: [Int], into directory: ScratchDirectory) throws {
        let weights = try SafetensorsFile(path: source + "/model.safetensors")
        let fileBytes = try Data(contentsOf: URL(fileURLWithPath: weights.path))
        let dataStart = 8 + Int(fileBytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let layerPrefix = "encoder.layer."
        var renamed: [(name: String, source: SafetensorsTensorInfo)] = weights.header.tensors
            .filter { !$0.name.hasPrefix(layerPrefix) }.map { ($0.name, $0) }
        for (index, sourceIndex) in layerSources.enumerated() {
            let sourcePrefix = "\(layerPrefix)\(sourceIndex)."
            for tensor in weights.header.tensors where tensor.name.hasPrefix(sourcePrefix) {
                renamed.append(("\(layerPrefix)\(index)." + tensor.name.dropFirst(sourcePrefix.count), tensor))
            }
        }
        var entries: [String] = []
        var data: [UInt8] = []
        for (name, tensor) in renamed {
            entries.append(SafetensorsBytes.entry(name, tensor.dtype.rawValue, tensor.shape, data.count, data.count + tensor.byteRange.count))
            data += fileBytes[(dataStart + tensor.byteRange.lowerBound)..<(dataStart + tensor.byteRange.upperBound)]
        }
        try directory.write("model.safetensors", SafetensorsBytes.file(header: "{" + entries.joined(separator: ", ") + "}", data: data))
        for file in ["vocab.txt", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"] {
            try directory.write(file, Array(try Data(contentsOf: URL(fileURLWithPath: source + "/" + file))))
        }
        let configURL = URL(fileURLWithPath: source + "/config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["num_hidden_layers"] = layerSources.count
        try directory.write("config.json", Array(try JSONSerialization.data(withJSONObject: config)))
    }
}
