/// What a section of the artifact holds. The raw value is the `kind` field of a section-table entry.
///
/// A reader ignores kinds it does not know (a newer minor version may add some), after checking
/// their bounds and checksums like any other section.
public enum SectionKind: Sendable, Hashable, CustomStringConvertible {
    case manifest
    case vectors
    case chunkTable
    case chunkText
    case documents
    case lexicon
    case tokenSignatures
    case unknown(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 1: self = .manifest
        case 2: self = .vectors
        case 3: self = .chunkTable
        case 4: self = .chunkText
        case 5: self = .documents
        case 6: self = .lexicon
        case 7: self = .tokenSignatures
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: UInt32 {
        switch self {
        case .manifest: 1
        case .vectors: 2
        case .chunkTable: 3
        case .chunkText: 4
        case .documents: 5
        case .lexicon: 6
        case .tokenSignatures: 7
        case .unknown(let value): value
        }
    }

    /// The sections every version-1 artifact must have.
    public static let required: [SectionKind] = [.manifest, .vectors, .chunkTable, .chunkText, .documents]

    public var description: String {
        switch self {
        case .manifest: "manifest"
        case .vectors: "vectors"
        case .chunkTable: "chunk-table"
        case .chunkText: "chunk-text"
        case .documents: "documents"
        case .lexicon: "lexicon"
        case .tokenSignatures: "token-signatures"
        case .unknown(let value): "unknown-\(value)"
        }
    }
}

/// How a section's bytes are stored. The raw value is the `codec` field of a section-table entry.
public enum SectionCodec: UInt32, Sendable, CustomStringConvertible {
    /// Stored as is; the section's bytes are its content.
    case raw = 0
    /// Split into blocks of a fixed raw size, each compressed with the LZ4 block format (docs/ARTIFACT.md).
    case lz4Blocks = 1

    public var description: String {
        switch self {
        case .raw: "raw"
        case .lz4Blocks: "lz4-blocks"
        }
    }
}
