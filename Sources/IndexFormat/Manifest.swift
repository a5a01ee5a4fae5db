/// What an artifact was built from and how: stored as JSON in the `manifest` section.
///
/// No timestamps and no absolute paths, so equal inputs give equal bytes. Readers ignore keys they
/// do not know, so a newer minor version may add some.
public struct Manifest: Codable, Equatable, Sendable {
    public struct Compiler: Codable, Equatable, Sendable {
        public var name: String
        public var version: String
        public init(name: String, version: String) { self.name = name; self.version = version }
    }

    public struct Model: Codable, Equatable, Sendable {
        /// A human name, such as "all-MiniLM-L6-v2".
        public var name: String
        /// The SHA-256 over the weights and vocabulary files, as the Embeddings module computes it.
        public var fingerprint: String
        /// The embedding dimension; equals the vectors section's.
        public var dimension: Int
        /// The precision the chunks were embedded in when not the weights as stored: "bfloat16" or
        /// "float16" (`policyc build --precision`). Absent (nil) for Float32, so older artifacts read the same.
        public var precision: String?
        public init(name: String, fingerprint: String, dimension: Int, precision: String? = nil) {
            self.name = name; self.fingerprint = fingerprint; self.dimension = dimension; self.precision = precision
        }
    }

    public struct Chunking: Codable, Equatable, Sendable {
        public var targetTokenCount: Int
        public var overlapTokenCount: Int
        public var maximumTokenCount: Int
        public init(targetTokenCount: Int, overlapTokenCount: Int, maximumTokenCount: Int) {
            self.targetTokenCount = targetTokenCount
            self.overlapTokenCount = overlapTokenCount
            self.maximumTokenCount = maximumTokenCount
        }
    }

    public struct Source: Codable, Equatable, Sendable {
        /// Relative to the corpus folder, with "/" separators.
        public var path: String
        public var sha256: String
        public var byteCount: Int
        public init(path: String, sha256: String, byteCount: Int) {
            self.path = path; self.sha256 = sha256; self.byteCount = byteCount
        }
    }

    public var compiler: Compiler
    public var model: Model
    public var chunking: Chunking
    public var sources: [Source]

    public init(compiler: Compiler, model: Model, chunking: Chunking, sources: [Source]) {
        self.compiler = compiler
        self.model = model
        self.chunking = chunking
        self.sources = sources
    }
}

/// One source document: stored, with all the others, as a JSON array in the `documents` section.
public struct DocumentRecord: Codable, Equatable, Sendable {
    /// One heading of the document, so a citation can point at a section.
    public struct OutlineEntry: Codable, Equatable, Sendable {
        /// 1 for the title heading, 2 for `##`, and so on.
        public var level: Int
        /// The headings from the document's title down to this one.
        public var headingPath: [String]
        /// Unicode scalar offsets of the section (heading included) in the source text.
        public var sourceCharacterStart: Int
        public var sourceCharacterEnd: Int

        /// Spelled out rather than converted by the decoder: a document has hundreds of entries, and
        /// converting every key from snake case took most of the daemon's start (10 of 20 ms).
        enum CodingKeys: String, CodingKey {
            case level
            case headingPath = "heading_path"
            case sourceCharacterStart = "source_character_start"
            case sourceCharacterEnd = "source_character_end"
        }

        public init(level: Int, headingPath: [String], sourceCharacterStart: Int, sourceCharacterEnd: Int) {
            self.level = level
            self.headingPath = headingPath
            self.sourceCharacterStart = sourceCharacterStart
            self.sourceCharacterEnd = sourceCharacterEnd
        }
    }

    /// Relative to the corpus folder, with "/" separators.
    public var path: String
    public var title: String
    public var sha256: String
    /// Front matter (owner, version, effective date…), as written.
    public var metadata: [String: String]
    public var outline: [OutlineEntry]

    public init(path: String, title: String, sha256: String, metadata: [String: String], outline: [OutlineEntry]) {
        self.path = path
        self.title = title
        self.sha256 = sha256
        self.metadata = metadata
        self.outline = outline
    }
}
