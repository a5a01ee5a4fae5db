/// Why a model folder could not be loaded or a text could not be embedded.
///
/// Every case names the file (and the tensor, where there is one); `description` is one
/// lowercase line: what is wrong, then what to do.
public enum EmbeddingError: Error, Equatable, Sendable {
    /// The file could not be opened, measured or mapped (`reason` is the system's message).
    case fileUnreadable(path: String, reason: String)
    /// A safetensors file shorter than its 8-byte header-length prefix.
    case fileTooSmall(path: String, byteCount: Int)
    /// The header length prefix exceeds the reader's limit (`SafetensorsHeader.maximumByteCount`).
    case headerTooLarge(path: String, declaredByteCount: UInt64, limit: Int)
    /// The header length prefix points past the end of the file.
    case headerPastEndOfFile(path: String, declaredByteCount: UInt64, fileByteCount: Int)
    /// The header is not the JSON object safetensors specifies.
    case headerNotJSON(path: String, reason: String)
    /// A tensor entry lacks a field or has one of the wrong kind.
    case malformedTensorEntry(path: String, tensor: String, reason: String)
    /// A dtype the safetensors format does not define.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// The tensor's shape and dtype need a different number of bytes than its offsets give.
    case byteCountMismatch(path: String, tensor: String, shape: [Int], expectedByteCount: Int, foundByteCount: Int)
    /// The tensor's offsets are reversed or reach past the data area.
    case offsetsOutOfBounds(path: String, tensor: String, begin: Int, end: Int, dataByteCount: Int)
    /// Two tensors claim the same bytes.
    case overlappingTensors(path: String, tensor: String, overlapped: String)
    /// Bytes of the data area belong to no tensor (a hole before `tensor`, or after the last one).
    case unclaimedBytes(path: String, tensor: String?, byteOffset: Int, byteCount: Int)
    /// The model needs a tensor the file does not have.
    case missingTensor(path: String, tensor: String)
    /// A tensor the model needs has another shape than its configuration implies.
    case unexpectedShape(path: String, tensor: String, expected: [Int], found: [Int])
    /// A tensor the model needs is stored in a dtype the encoder cannot compute with.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A configuration file is missing, not JSON, or lacks a setting.
    case invalidConfiguration(path: String, reason: String)
    /// A configuration the encoder cannot run (it refuses rather than compute a wrong vector).
    case unsupportedConfiguration(path: String, setting: String, value: String, supported: String)
    /// The vocabulary file is empty, too large for the embedding table, or lacks a special token.
    case invalidVocabulary(path: String, reason: String)
}

extension EmbeddingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .fileUnreadable(let path, let reason):
            "cannot read \(path): \(reason); check the path, or run tools/fetch-model"
        case .fileTooSmall(let path, let byteCount):
            "\(path) has \(byteCount) bytes, fewer than the 8-byte safetensors prefix; the file is truncated, fetch it again"
        case .headerTooLarge(let path, let declared, let limit):
            "\(path) declares a \(declared)-byte safetensors header, above the \(limit)-byte limit; the file is damaged or not safetensors"
        case .headerPastEndOfFile(let path, let declared, let fileByteCount):
            "\(path) declares a \(declared)-byte header but the file has \(fileByteCount) bytes; the file is truncated, fetch it again"
        case .headerNotJSON(let path, let reason):
            "\(path) has a safetensors header that is not a JSON object (\(reason)); the file is damaged, fetch it again"
        case .malformedTensorEntry(let path, let tensor, let reason):
            "tensor \(tensor) in \(path) is malformed: \(reason); the file is damaged, fetch it again"
        case .unknownDType(let path, let tensor, let dtype):
            "tensor \(tensor) in \(path) has unknown dtype \(dtype); re-export the model with a standard safetensors dtype"
        case .byteCountMismatch(let path, let tensor, let shape, let expected, let found):
            "tensor \(tensor) in \(path) has shape \(shape) needing \(expected) bytes but its offsets span \(found); the file is damaged, fetch it again"
        case .offsetsOutOfBounds(let path, let tensor, let begin, let end, let dataByteCount):
            "tensor \(tensor) in \(path) spans bytes \(begin)..<\(end) of a \(dataByteCount)-byte data area; the file is truncated or damaged, fetch it again"
        case .overlappingTensors(let path, let tensor, let overlapped):
            "tensor \(tensor) in \(path) overlaps tensor \(overlapped); the file is damaged, fetch it again"
        case .unclaimedBytes(let path, let tensor, let offset, let count):
            "\(path) has \(count) bytes at data offset \(offset) that belong to no tensor\(tensor.map { " (before \($0))" } ?? " (after the last tensor)"); the file is damaged, fetch it again"
        case .missingTensor(let path, let tensor):
            "\(path) has no tensor \(tensor); this is not a BERT model this encoder can run, use a BERT-family sentence-transformers folder"
        case .unexpectedShape(let path, let tensor, let expected, let found):
            "tensor \(tensor) in \(path) has shape \(found), config.json implies \(expected); the weights and config.json do not belong together"
        case .unsupportedDType(let path, let tensor, let dtype):
            "tensor \(tensor) in \(path) is \(dtype); the encoder computes with F32, F16 or BF16 weights, re-export the model"
        case .invalidConfiguration(let path, let reason):
            "\(path) is not a usable model configuration: \(reason); check the model folder, or run tools/fetch-model"
        case .unsupportedConfiguration(let path, let setting, let value, let supported):
            "\(path) sets \(setting) to \(value), which this encoder cannot run (it supports \(supported)); use a BERT-family sentence-transformers model"
        case .invalidVocabulary(let path, let reason):
            "\(path) is not a usable WordPiece vocabulary: \(reason); check the model folder, or run tools/fetch-model"
        }
    }
}
