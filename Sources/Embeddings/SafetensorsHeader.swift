#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A tensor's element type, as the safetensors format names it.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
        case .i16, .u16, .f16, .bf16: 2
        case .i32, .u32, .f32: 4
        case .i64, .u64, .f64: 8
        }
    }
}

/// One tensor's entry in a safetensors header: where its bytes are within the data area.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Offsets relative to the start of the data area (just after the header).
    public var byteRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The parsed and validated JSON header of a safetensors file (https://github.com/huggingface/safetensors).
///
/// Validation follows the reference implementation's `validate()`: every dtype known, every
/// shape's byte count equal to its offsets' span, and the tensors tiling the data area exactly,
/// in offset order, with no overlap, no hole and nothing past the end.
public struct SafetensorsHeader: Sendable {
    /// 100 MB, the reference implementation's limit; a header is a few kilobytes in practice.
    public static let maximumByteCount = 100_000_000

    /// Tensors in data order.
    public let tensors: [SafetensorsTensorInfo]
    private let indexByName: [String: Int]

    /// Parses `json` (the header bytes) and checks it against a data area of `dataByteCount` bytes.
    /// `path` only labels errors.
    public init(json: [UInt8], dataByteCount: Int, path: String) throws(EmbeddingError) {
        let entries: [String: RawEntry]
        do {
            entries = try JSONDecoder().decode([String: RawEntry].self, from: Data(json))
        } catch {
            throw .headerNotJSON(path: path, reason: Self.summary(of: error))
        }
        var tensors: [SafetensorsTensorInfo] = []
        tensors.reserveCapacity(entries.count)
        for (name, entry) in entries where name != "__metadata__" {
            tensors.append(try Self.tensorInfo(name: name, entry: entry, dataByteCount: dataByteCount, path: path))
        }
        // Sort by offset (name breaks ties, so the order never depends on dictionary hashing).
        tensors.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        var position = 0
        var previous: String?
        for tensor in tensors {
            let range = tensor.byteRange
            guard range.upperBound <= dataByteCount else {
                throw .offsetsOutOfBounds(path: path, tensor: tensor.name, begin: range.lowerBound, end: range.upperBound, dataByteCount: dataByteCount)
            }
            if range.lowerBound < position, let previous {
                throw .overlappingTensors(path: path, tensor: tensor.name, overlapped: previous)
            }
            if range.lowerBound > position {
                throw .unclaimedBytes(path: path, tensor: tensor.name, byteOffset: position, byteCount: range.lowerBound - position)
            }
            position = range.upperBound
            previous = tensor.name
        }
        if position != dataByteCount {
            throw .unclaimedBytes(path: path, tensor: nil, byteOffset: position, byteCount: dataByteCount - position)
        }
        self.tensors = tensors
        self.indexByName = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The entry for `name`, or nil.
    public subscript(name: String) -> SafetensorsTensorInfo? {
        indexByName[name].map { tensors[$0] }
    }

    private static func tensorInfo(name: String, entry: RawEntry, dataByteCount: Int, path: String) throws(EmbeddingError) -> SafetensorsTensorInfo {
        guard let dtypeName = entry.dtype else { throw .malformedTensorEntry(path: path, tensor: name, reason: "no dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw .unknownDType(path: path, tensor: name, dtype: dtypeName) }
        guard let shape = entry.shape else { throw .malformedTensorEntry(path: path, tensor: name, reason: "no shape") }
        guard let offsets = entry.dataOffsets, offsets.count == 2 else {
            throw .malformedTensorEntry(path: path, tensor: name, reason: "data_offsets is not a pair of byte offsets")
        }
        guard let begin = Int(exactly: offsets[0]), let end = Int(exactly: offsets[1]), begin <= end else {
            throw .offsetsOutOfBounds(path: path, tensor: name, begin: Int(clamping: offsets[0]), end: Int(clamping: offsets[1]), dataByteCount: dataByteCount)
        }
        var byteCount = dtype.byteCount
        var intShape: [Int] = []
        for dimension in shape {
            guard let value = Int(exactly: dimension) else {
                throw .malformedTensorEntry(path: path, tensor: name, reason: "dimension \(dimension) is too large")
            }
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: value)
            guard !overflow else { throw .malformedTensorEntry(path: path, tensor: name, reason: "shape \(shape) overflows a byte count") }
            byteCount = product
            intShape.append(value)
        }
        guard byteCount == end - begin else {
            throw .byteCountMismatch(path: path, tensor: name, shape: intShape, expectedByteCount: byteCount, foundByteCount: end - begin)
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: intShape, byteRange: begin..<end)
    }

    private static func summary(of error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.typeMismatch(_, let context): "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.valueNotFound(_, let context): context.debugDescription
        default: "\(error)"
        }
    }

    /// A header value: a tensor entry, or the `__metadata__` string map (whose fields are all absent here).
    private struct RawEntry: Decodable {
        var dtype: String?
        var shape: [UInt64]?
        var dataOffsets: [UInt64]?

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }
}
