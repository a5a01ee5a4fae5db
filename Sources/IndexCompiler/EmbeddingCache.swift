import Checksums
import Embeddings
import Synchronization

/// The compiler's incremental embedding cache: one SQLite file (`.cache/embeddings.sqlite`, WAL mode)
/// mapping (model fingerprint, SHA-256 of the exact text embedded) to that text's vector and, when the
/// embedder makes them, its token signatures (late interaction).
///
/// Guarantees:
/// - **Right text, right model, or nothing.** A vector is returned only for the fingerprint this cache
///   was opened with and the exact text hash asked for. Each row carries an XXH64 checksum over its
///   fingerprint, text hash, dimension, vector and token-signature bytes; a row whose bytes
///   changed, or that was moved to another key, fails it and is a miss (counted in
///   ``Statistics/rejectedEntries``), so the caller embeds that text again and ``store(entries:)``
///   overwrites the row. A row of the wrong dimension is a miss too. XXH64 catches accidents (bit rot, a bad copy, a hand edit), not someone who recomputes it.
/// - **Bit-exact.** Vectors are stored as little-endian Float32 and read back with the same bits.
/// - **Damaged or foreign files are rebuilt, never trusted.** On open, a file that is not SQLite, fails
///   `PRAGMA quick_check`, carries another `application_id` or schema version, or holds tables that
///   are not ours is moved aside to `<path>.corrupt-<n>` (with its `-wal`, `-shm` and `-journal`), a
///   line is added to ``warnings``, and an empty cache takes its place. Only errors that rebuilding
///   cannot fix (a folder that cannot be created, a locked or unwritable file) throw.
/// - **Other models' rows stay** (switching back is free) but are never returned for this one;
///   ``prune(keeping:includingOtherModels:)`` removes what is no longer needed.
/// - **Thread-safe.** All access goes through one mutex, so tasks may share an instance; each call
///   runs in its own transaction. Several processes may share the file (SQLite locks, 5 s busy timeout).
///
/// Keys are ``textHash(of:)``: lower-case hex SHA-256 of the text's UTF-8 bytes, exactly as embedded.
public final class EmbeddingCache: Sendable {
    /// Counters since this instance was opened, for the compiler's summary. Hits and misses count
    /// distinct text hashes per lookup; rejected entries are also misses.
    public struct Statistics: Equatable, Sendable {
        public var hits = 0
        public var misses = 0
        public var stored = 0
        public var rejectedEntries = 0
        public var pruned = 0

        public init() {}
    }

    /// "PQEC" (PolicyQA Embedding Cache): identifies our file in the SQLite header (`PRAGMA application_id`).
    static let applicationID: Int64 = 0x5051_4543
    /// Bump when the table changes; a file with another version is moved aside and rebuilt.
    /// Version 2 added the token signatures.
    static let schemaVersion: Int64 = 2

    public let path: String
    public let modelFingerprint: String
    public let dimension: Int

    private let state: Mutex<State>

    private struct State {
        let database: SQLiteDatabase
        var statistics = Statistics()
        var warnings: [String]
    }

    /// Opens the cache at `path`, creating it and its folders if needed, and rebuilding it if the
    /// file is damaged or not ours (see ``warnings``).
    ///
    /// - Parameters:
    ///   - modelFingerprint: identifies the model's weights and configuration; must not be empty.
    ///   - dimension: the length of every vector (384 for the project's model); must be positive.
    /// - Throws: ``CompileError/cacheUnusable(path:reason:)`` when the file cannot be opened or rebuilt.
    public init(path: String, modelFingerprint: String, dimension: Int) throws(CompileError) {
        precondition(!modelFingerprint.isEmpty, "EmbeddingCache needs a model fingerprint")
        precondition(dimension > 0, "EmbeddingCache needs a positive dimension, got \(dimension)")
        self.path = path
        self.modelFingerprint = modelFingerprint
        self.dimension = dimension
        let (database, warnings) = try Self.open(path: path)
        state = Mutex(State(database: database, warnings: warnings))
    }

    /// What the compiler should print: why a file was rebuilt, lookups that failed. Empty when all is well.
    public var warnings: [String] { state.withLock { $0.warnings } }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The cache key for `text`: lower-case hex SHA-256 of its UTF-8 bytes.
    public static func textHash(of text: String) -> String {
        SHA256.digest(Array(text.utf8)).hexString
    }

    /// What the cache holds for one text.
    public struct Entry: Equatable, Sendable {
        public var vector: [Float]
        /// Nil when the embedder that stored it makes none.
        public var tokens: TokenSignatures?

        public init(vector: [Float], tokens: TokenSignatures?) {
            self.vector = vector
            self.tokens = tokens
        }
    }

    /// The cached vectors among `textHashes`, keyed by hash; absent hashes are misses to embed.
    public func vectors(forTextHashes textHashes: [String]) -> [String: [Float]] {
        entries(forTextHashes: textHashes).mapValues(\.vector)
    }

    /// The cached entries among `textHashes`, keyed by hash; absent hashes are misses to embed.
    ///
    /// Every returned vector has ``dimension`` values, every entry passed its checksum. Reads run in
    /// one transaction, one indexed lookup per distinct hash. If the database fails mid-read, the
    /// remaining hashes are misses and the failure is added to ``warnings``.
    public func entries(forTextHashes textHashes: [String]) -> [String: Entry] {
        state.withLock { state in
            var found: [String: Entry] = [:]
            var rejected = 0
            var seen = Set<String>()
            let distinct = textHashes.filter { seen.insert($0).inserted }
            let database = state.database
            do throws(SQLiteDatabase.Failure) {
                try database.transaction(.deferred) { () throws(SQLiteDatabase.Failure) in
                    for textHash in distinct {
                        guard let row = try database.rows(Self.selectSQL, [.text(modelFingerprint), .text(textHash)]).first else {
                            continue
                        }
                        if let entry = validEntry(row, textHash: textHash) {
                            found[textHash] = entry
                        } else {
                            rejected += 1
                        }
                    }
                }
            } catch {
                state.warnings.append("reading the embedding cache \(path) failed (\(error)); \(distinct.count - found.count) chunks will be embedded again")
            }
            state.statistics.hits += found.count
            state.statistics.misses += distinct.count - found.count
            state.statistics.rejectedEntries += rejected
            return found
        }
    }

    /// Stores vectors without token signatures (see `store(entries:)`).
    public func store(_ entries: [(textHash: String, vector: [Float])]) throws(CompileError) {
        try store(entries: entries.map { ($0.textHash, Entry(vector: $0.vector, tokens: nil)) })
    }

    /// Stores `entries` in one transaction, replacing any row with the same model and text hash.
    ///
    /// - Precondition: each `textHash` is 64 lower-case hex digits and each vector has ``dimension`` values.
    /// - Throws: ``CompileError/cacheUnusable(path:reason:)`` if the write fails; nothing is stored then.
    public func store(entries: [(textHash: String, entry: Entry)]) throws(CompileError) {
        for (textHash, entry) in entries {
            precondition(Self.isTextHash(textHash), "not a lower-case hex SHA-256: \(textHash)")
            precondition(entry.vector.count == dimension, "vector has \(entry.vector.count) values, the cache holds \(dimension)")
        }
        try state.withLock { state throws(CompileError) in
            let database = state.database
            do throws(SQLiteDatabase.Failure) {
                try database.transaction(.immediate) { () throws(SQLiteDatabase.Failure) in
                    for (textHash, entry) in entries {
                        let blob = Self.encode(entry.vector)
                        let tokens = entry.tokens.map(Self.encode)
                        let checksum = Self.checksum(modelFingerprint: modelFingerprint, textHash: textHash,
                                                     dimension: dimension, blob: blob, tokens: tokens)
                        try database.run(Self.insertSQL, [
                            .text(modelFingerprint), .text(textHash), .integer(Int64(dimension)),
                            .blob(blob), tokens.map { .blob($0) } ?? .null, .integer(Int64(bitPattern: checksum)),
                        ])
                    }
                }
            } catch {
                throw .cacheUnusable(path: path, reason: "storing \(entries.count) vectors failed: \(error)")
            }
            state.statistics.stored += entries.count
        }
    }

    /// Deletes this model's rows whose text hash is not in `textHashes` (and, if asked, every row of
    /// other models), in one transaction. Returns how many rows were deleted.
    ///
    /// Freed pages are reused by later writes; the file does not shrink (no `VACUUM`).
    @discardableResult
    public func prune(keeping textHashes: Set<String>, includingOtherModels: Bool = false) throws(CompileError) -> Int {
        try state.withLock { state throws(CompileError) -> Int in
            let database = state.database
            let deleted: Int
            do throws(SQLiteDatabase.Failure) {
                deleted = try database.transaction(.immediate) { () throws(SQLiteDatabase.Failure) -> Int in
                    var deleted = 0
                    let stored = try database.rows("SELECT text_sha256 FROM embedding WHERE model_fingerprint = ?",
                                                   [.text(modelFingerprint)])
                    for row in stored {
                        guard let textHash = row.first?.text, !textHashes.contains(textHash) else { continue }
                        deleted += try database.run("DELETE FROM embedding WHERE model_fingerprint = ? AND text_sha256 = ?",
                                                    [.text(modelFingerprint), .text(textHash)])
                    }
                    if includingOtherModels {
                        deleted += try database.run("DELETE FROM embedding WHERE model_fingerprint <> ?", [.text(modelFingerprint)])
                    }
                    return deleted
                }
            } catch {
                throw .cacheUnusable(path: path, reason: "pruning failed: \(error)")
            }
            state.statistics.pruned += deleted
            return deleted
        }
    }

    // MARK: - Rows

    static let createTableSQL = """
        CREATE TABLE embedding (
            model_fingerprint TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            dimension INTEGER NOT NULL,
            vector BLOB NOT NULL,
            tokens BLOB,
            checksum INTEGER NOT NULL,
            PRIMARY KEY (model_fingerprint, text_sha256)
        )
        """
    private static let selectSQL =
        "SELECT dimension, vector, tokens, checksum FROM embedding WHERE model_fingerprint = ? AND text_sha256 = ?"
    private static let insertSQL =
        "INSERT OR REPLACE INTO embedding (model_fingerprint, text_sha256, dimension, vector, tokens, checksum) VALUES (?, ?, ?, ?, ?, ?)"

    /// The entry in a `selectSQL` row, or nil if its dimension, lengths, types or checksum are wrong.
    private func validEntry(_ row: [SQLiteDatabase.Value], textHash: String) -> Entry? {
        guard row.count == 4, let storedDimension = row[0].integer, let blob = row[1].blob, let storedChecksum = row[3].integer,
              storedDimension == Int64(dimension), blob.count == dimension * 4 else { return nil }
        let tokenBlob = row[2].blob
        guard tokenBlob != nil || row[2] == .null else { return nil }
        let checksum = Self.checksum(modelFingerprint: modelFingerprint, textHash: textHash, dimension: dimension, blob: blob, tokens: tokenBlob)
        guard UInt64(bitPattern: storedChecksum) == checksum else { return nil }
        guard let tokenBlob else { return Entry(vector: Self.decode(blob), tokens: nil) }
        guard let tokens = Self.decodeTokens(tokenBlob, dimension: dimension) else { return nil }
        return Entry(vector: Self.decode(blob), tokens: tokens)
    }

    /// XXH64 over the row's key and contents, each variable-length field prefixed by its byte count so
    /// no two different rows hash the same bytes (no token signatures hash as a count of 2^32 - 1).
    static func checksum(modelFingerprint: String, textHash: String, dimension: Int, blob: [UInt8], tokens: [UInt8]? = nil) -> UInt64 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(modelFingerprint.utf8.count + textHash.utf8.count + blob.count + (tokens?.count ?? 0) + 16)
        for field in [Array(modelFingerprint.utf8), Array(textHash.utf8)] {
            appendLittleEndian(UInt32(truncatingIfNeeded: field.count), to: &bytes)
            bytes += field
        }
        appendLittleEndian(UInt32(truncatingIfNeeded: dimension), to: &bytes)
        bytes += blob
        appendLittleEndian(tokens.map { UInt32(truncatingIfNeeded: $0.count) } ?? UInt32.max, to: &bytes)
        bytes += tokens ?? []
        return XXH64.hash(bytes)
    }

    /// Token signatures as bytes: u32 token count, the piece ids (u32 each), then the signature
    /// words (u64 each), little-endian.
    static func encode(_ tokens: TokenSignatures) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + tokens.tokenCount * 4 + tokens.words.count * 8)
        appendLittleEndian(UInt32(truncatingIfNeeded: tokens.tokenCount), to: &bytes)
        for id in tokens.pieceIDs { appendLittleEndian(UInt32(bitPattern: id), to: &bytes) }
        for word in tokens.words {
            appendLittleEndian(UInt32(truncatingIfNeeded: word), to: &bytes)
            appendLittleEndian(UInt32(truncatingIfNeeded: word >> 32), to: &bytes)
        }
        return bytes
    }

    /// The inverse of `encode(_: TokenSignatures)`, or nil when the lengths do not add up.
    static func decodeTokens(_ bytes: [UInt8], dimension: Int) -> TokenSignatures? {
        func uint32(at offset: Int) -> UInt32 {
            UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        guard bytes.count >= 4 else { return nil }
        let count = Int(uint32(at: 0))
        let perToken = TokenSignatures.wordsPerToken(dimension: dimension)
        guard count <= bytes.count, bytes.count == 4 + count * 4 + count * perToken * 8 else { return nil }
        let ids = (0..<count).map { Int32(bitPattern: uint32(at: 4 + 4 * $0)) }
        let wordsStart = 4 + 4 * count
        let words = (0..<(count * perToken)).map { index in
            UInt64(uint32(at: wordsStart + 8 * index)) | UInt64(uint32(at: wordsStart + 8 * index + 4)) << 32
        }
        return TokenSignatures(dimension: dimension, pieceIDs: ids, words: words)
    }

    /// Little-endian Float32, 4 bytes a value: (dimension,) → (dimension × 4,).
    static func encode(_ vector: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { appendLittleEndian(value.bitPattern, to: &bytes) }
        return bytes
    }

    /// The inverse of `encode`; `bytes.count` must be a multiple of 4.
    static func decode(_ bytes: [UInt8]) -> [Float] {
        var vector: [Float] = []
        vector.reserveCapacity(bytes.count / 4)
        var offset = 0
        while offset + 4 <= bytes.count {
            let bits = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            vector.append(Float(bitPattern: bits))
            offset += 4
        }
        return vector
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    private static func isTextHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
