#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How token vectors become one sentence vector (`1_Pooling/config.json`).
public enum PoolingMode: String, Sendable, Equatable {
    case mean, classToken, max, meanSquareRootLength
}

/// The sentence-transformers pipeline around the encoder: `modules.json` (Transformer, Pooling,
/// optional Normalize), `sentence_bert_config.json` (max_seq_length) and `1_Pooling/config.json`.
public struct SentenceTransformerConfiguration: Sendable, Equatable {
    public var maximumTokenCount: Int
    public var pooling: PoolingMode
    public var normalizes: Bool
    /// From `tokenizer_config.json` when present; true (uncased BERT) otherwise.
    public var lowercases: Bool
    /// The pooling module's configuration file, relative to the model folder (`1_Pooling/config.json`).
    public var poolingConfigurationFile: String

    public init(maximumTokenCount: Int, pooling: PoolingMode, normalizes: Bool, lowercases: Bool = true,
                poolingConfigurationFile: String = "1_Pooling/config.json") {
        self.maximumTokenCount = maximumTokenCount
        self.poolingConfigurationFile = poolingConfigurationFile
        self.pooling = pooling
        self.normalizes = normalizes
        self.lowercases = lowercases
    }

    /// Reads the configuration files of the model folder at `folder`.
    public init(folder: String) throws(EmbeddingError) {
        let modulesPath = folder + "/modules.json"
        let modules: [Module] = try Self.decode([Module].self, at: modulesPath)
        var poolingFolder: String?
        var normalizes = false
        for (index, module) in modules.enumerated() {
            switch module.type {
            case "sentence_transformers.models.Transformer":
                guard index == 0 else { throw Self.unsupported(modulesPath, "modules[\(index)]", module.type) }
            case "sentence_transformers.models.Pooling":
                poolingFolder = module.path
            case "sentence_transformers.models.Normalize":
                normalizes = true
            default:
                throw Self.unsupported(modulesPath, "modules[\(index)].type", module.type)
            }
        }
        guard modules.first?.type == "sentence_transformers.models.Transformer", let poolingFolder else {
            throw .invalidConfiguration(path: modulesPath, reason: "it needs a Transformer module followed by a Pooling module")
        }
        let sentencePath = folder + "/sentence_bert_config.json"
        let sentence: SentenceBertConfig = try Self.decode(SentenceBertConfig.self, at: sentencePath)
        guard let maximumTokenCount = sentence.maxSeqLength, maximumTokenCount >= 2 else {
            throw .invalidConfiguration(path: sentencePath, reason: "max_seq_length is missing or below 2")
        }
        if sentence.doLowerCase == true {
            throw .unsupportedConfiguration(path: sentencePath, setting: "do_lower_case", value: "true", supported: "false (the tokenizer lower-cases)")
        }
        let poolingFile = (poolingFolder.isEmpty ? "" : poolingFolder + "/") + "config.json"
        let poolingPath = folder + "/" + poolingFile
        let pooling: PoolingConfig = try Self.decode(PoolingConfig.self, at: poolingPath)
        let modes: [(Bool?, PoolingMode, String)] = [
            (pooling.mean, .mean, "pooling_mode_mean_tokens"), (pooling.cls, .classToken, "pooling_mode_cls_token"),
            (pooling.max, .max, "pooling_mode_max_tokens"), (pooling.meanSqrt, .meanSquareRootLength, "pooling_mode_mean_sqrt_len_tokens"),
        ]
        let chosen = modes.filter { $0.0 == true }
        if pooling.weightedMean == true || pooling.lastToken == true || chosen.count != 1 {
            throw .unsupportedConfiguration(path: poolingPath, setting: "pooling modes", value: chosen.map(\.2).joined(separator: "+"),
                                            supported: "exactly one of mean, cls, max, mean_sqrt_len")
        }
        var lowercases = true
        let tokenizerPath = folder + "/tokenizer_config.json"
        if let data = try? Data(contentsOf: URL(fileURLWithPath: tokenizerPath)),
           let tokenizer = try? JSONDecoder().decode(TokenizerConfig.self, from: data), tokenizer.doLowerCase == false {
            lowercases = false
        }
        self.init(maximumTokenCount: maximumTokenCount, pooling: chosen[0].1, normalizes: normalizes, lowercases: lowercases,
                  poolingConfigurationFile: poolingFile)
    }

    static func readFile(_ path: String) throws(EmbeddingError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw .fileUnreadable(path: path, reason: "no such file")
        } catch {
            throw .fileUnreadable(path: path, reason: "\(error)")
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, at path: String) throws(EmbeddingError) -> T {
        let data = try readFile(path)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .invalidConfiguration(path: path, reason: "unexpected JSON (\(error))")
        }
    }

    private static func unsupported(_ path: String, _ setting: String, _ value: String) -> EmbeddingError {
        .unsupportedConfiguration(path: path, setting: setting, value: value, supported: "Transformer, Pooling, Normalize in that order")
    }

    private struct Module: Decodable { var type: String; var path: String }
    private struct SentenceBertConfig: Decodable {
        var maxSeqLength: Int?
        var doLowerCase: Bool?
        enum CodingKeys: String, CodingKey { case maxSeqLength = "max_seq_length", doLowerCase = "do_lower_case" }
    }
    private struct PoolingConfig: Decodable {
        var mean: Bool?, cls: Bool?, max: Bool?, meanSqrt: Bool?, weightedMean: Bool?, lastToken: Bool?
        enum CodingKeys: String, CodingKey {
            case mean = "pooling_mode_mean_tokens", cls = "pooling_mode_cls_token", max = "pooling_mode_max_tokens"
            case meanSqrt = "pooling_mode_mean_sqrt_len_tokens", weightedMean = "pooling_mode_weightedmean_tokens"
            case lastToken = "pooling_mode_lasttoken"
        }
    }
    private struct TokenizerConfig: Decodable {
        var doLowerCase: Bool?
        enum CodingKeys: String, CodingKey { case doLowerCase = "do_lower_case" }
    }
}
