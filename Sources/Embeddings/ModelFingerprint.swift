import Checksums

/// Identifies a model by the bytes that determine its vectors: the weights, the vocabulary and the
/// four configuration files, each hashed with SHA-256, then hashed together with their names.
///
/// The artifact stores it; the daemon refuses to answer when the model it maps has another one,
/// because query and document vectors from different models are not comparable.
public struct ModelFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// "sha256:" and 64 lower-case hex digits.
    public let description: String

    /// Version 1 of the recipe; a change to the recipe changes this tag and so every fingerprint.
    static let domain = "policyqa-model-fingerprint-v1\n"

    /// Hashes the files of the model folder at `folder` (the weights are read in blocks, not mapped).
    public init(folder: String, poolingConfigurationFile: String = "1_Pooling/config.json") throws(EmbeddingError) {
        let files = ["model.safetensors", "vocab.txt", "config.json", "modules.json", "sentence_bert_config.json", poolingConfigurationFile]
        var manifest = Self.domain
        for file in files {
            manifest += file + "\t" + (try SafetensorsFile.sha256(ofFileAt: folder + "/" + file)).hexString + "\n"
        }
        description = "sha256:" + SHA256.digest(Array(manifest.utf8)).hexString
    }
}
