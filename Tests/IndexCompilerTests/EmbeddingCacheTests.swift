import Foundation
import Testing
import TestSupport
import Embeddings
@testable import IndexCompiler

@Suite struct EmbeddingCacheTests {
    static let model = "model-fingerprint-a"
    static let otherModel = "model-fingerprint-b"

    // MARK: - Round trips and keys

    @Test func storedVectorsReadBackBitExact() throws {
        let folder = try TemporaryDirectory("cache")
        let cache = try EmbeddingCache(path: folder.path("embeddings.sqlite"), modelFingerprint: Self.model, dimension: 8)
        let entries = (0..<40).map { (textHash: hash($0), vector: vector(seed: UInt64($0), dimension: 8)) }
        let special: [Float] = [-0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity,
                                Float(nan: 0x1234, signaling: false), Float(bitPattern: 0x0001_0000), -1, 0.1]
        try cache.store(entries + [(textHash: hash(99), vector: special)])

        let found = cache.vectors(forTextHashes: entries.map(\.textHash) + [hash(99), hash(1000), hash(0)])
        #expect(found.count == 41)
        for entry in entries {
            #expect(found[entry.textHash].map(bits) == bits(entry.vector))
        }
        #expect(found[hash(99)].map(bits) == bits(special))
        #expect(cache.statistics == statistics(hits: 41, misses: 1, stored: 41))
        #expect(cache.warnings.isEmpty)
    }

    @Test func textHashIsTheSHA256OfTheUTF8Text() {
        #expect(EmbeddingCache.textHash(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(EmbeddingCache.textHash(of: "café") != EmbeddingCache.textHash(of: "cafe\u{301}"))
    }

    @Test func anotherModelFingerprintMisses() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let first = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        try first.store([(textHash: hash(1), vector: [1, 2, 3, 4])])

        let second = try EmbeddingCache(path: path, modelFingerprint: Self.otherModel, dimension: 4)
        #expect(second.vectors(forTextHashes: [hash(1)]).isEmpty)
        #expect(second.statistics == statistics(misses: 1))
        try second.store([(textHash: hash(1), vector: [5, 6, 7, 8])])

        #expect(first.vectors(forTextHashes: [hash(1)]) == [hash(1): [1, 2, 3, 4]])
        #expect(second.vectors(forTextHashes: [hash(1)]) == [hash(1): [5, 6, 7, 8]])
    }

    @Test func reopeningKeepsEntriesSoAnUnchangedCorpusEmbedsNothing() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path(".cache/nested/embeddings.sqlite")   // folders are created as needed
        let hashes = (0..<30).map(hash)
        do {
            let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 384)
            #expect(cache.vectors(forTextHashes: hashes).isEmpty)
            try cache.store(hashes.enumerated().map { (textHash: $1, vector: vector(seed: UInt64($0), dimension: 384)) })
        }
        let reopened = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 384)
        let found = reopened.vectors(forTextHashes: hashes)
        #expect(found.count == 30)
        #expect(found[hashes[7]].map(bits) == bits(vector(seed: 7, dimension: 384)))
        #expect(reopened.statistics == statistics(hits: 30))
        #expect(reopened.warnings.isEmpty)

        // Editing one document changes its chunks' texts: only those miss.
        let edited = Array(hashes[0..<25]) + [hash(500), hash(501)]
        #expect(reopened.vectors(forTextHashes: edited).count == 25)
        #expect(reopened.statistics.misses == 2)
    }

    @Test func duplicateHashesInALookupCountOnce() throws {
        let folder = try TemporaryDirectory("cache")
        let cache = try EmbeddingCache(path: folder.path("embeddings.sqlite"), modelFingerprint: Self.model, dimension: 2)
        try cache.store([(textHash: hash(1), vector: [1, 2])])
        #expect(cache.vectors(forTextHashes: [hash(1), hash(1), hash(2), hash(2)]).count == 1)
        #expect(cache.statistics == statistics(hits: 1, misses: 1, stored: 1))
    }

    @Test func pruneDropsEntriesNoLongerUsed() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 2)
        let other = try EmbeddingCache(path: path, modelFingerprint: Self.otherModel, dimension: 2)
        try cache.store((0..<10).map { (textHash: hash($0), vector: [Float($0), 0]) })
        try other.store([(textHash: hash(0), vector: [9, 9])])

        #expect(try cache.prune(keeping: Set([hash(2), hash(3), hash(4), hash(77)])) == 7)
        #expect(cache.vectors(forTextHashes: (0..<10).map(hash)).keys.sorted() == [hash(2), hash(3), hash(4)].sorted())
        #expect(cache.statistics.pruned == 7)
        #expect(other.vectors(forTextHashes: [hash(0)]).count == 1)   // another model's rows stay by default

        #expect(try cache.prune(keeping: Set([hash(2)]), includingOtherModels: true) == 3)
        #expect(other.vectors(forTextHashes: [hash(0)]).isEmpty)
        #expect(try rowCount(path) == 1)
    }

    // MARK: - Damaged and foreign files

    /// A file at the cache path that must be moved aside, and what to check afterwards.
    struct UnusableFile: CustomTestStringConvertible, Sendable {
        let testDescription: String
        let reasonFragment: String
        let make: @Sendable (String) throws -> Void

        static let all: [UnusableFile] = [
            .init(testDescription: "garbage bytes", reasonFragment: "is damaged") { path in
                try Data(repeating: 0x5A, count: 10_000).write(to: URL(fileURLWithPath: path))
            },
            .init(testDescription: "text file", reasonFragment: "is damaged") { path in
                try "model,hash,vector\n".write(toFile: path, atomically: true, encoding: .utf8)
            },
            .init(testDescription: "cut inside the header", reasonFragment: "is damaged") { path in
                try makeFullCache(path)
                try truncate(path, to: 60)
            },
            .init(testDescription: "cut to two pages", reasonFragment: "is damaged") { path in
                try makeFullCache(path)
                try truncate(path, to: 8192)
            },
            .init(testDescription: "a data page overwritten", reasonFragment: "is damaged") { path in
                try makeFullCache(path)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.seek(toOffset: 4096 * 40)   // page 41 of about 120: a leaf of the table's b-tree
                try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
                try handle.close()
            },
            .init(testDescription: "a wrong freelist count", reasonFragment: "quick_check: *** in database main *** Main freelist") { path in
                try makeFullCache(path)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.seek(toOffset: 36)   // header: total freelist pages, big-endian UInt32
                try handle.write(contentsOf: Data([0, 0, 0, 5]))
                try handle.close()
            },
            .init(testDescription: "someone else's database", reasonFragment: "is not a policyc embedding cache") { path in
                let database = try SQLiteDatabase(path: path)
                try database.run("PRAGMA application_id = 12345")
                try database.run("CREATE TABLE notes (body TEXT)")
                try database.run("INSERT INTO notes VALUES ('keep me')")
            },
            .init(testDescription: "a database without an application id", reasonFragment: "is not a policyc embedding cache") { path in
                let database = try SQLiteDatabase(path: path)
                try database.run("CREATE TABLE notes (body TEXT)")
                try database.run("INSERT INTO notes VALUES ('keep me')")
            },
            .init(testDescription: "another schema version", reasonFragment: "schema version 99") { path in
                try makeFullCache(path)
                try SQLiteDatabase(path: path).run("PRAGMA user_version = 99")
            },
            .init(testDescription: "our header, other tables", reasonFragment: "has a schema that is not the cache's") { path in
                let database = try SQLiteDatabase(path: path)
                try database.run("PRAGMA application_id = \(EmbeddingCache.applicationID)")
                try database.run("PRAGMA user_version = \(EmbeddingCache.schemaVersion)")
                try database.run("CREATE TABLE embedding (model_fingerprint TEXT, text_sha256 TEXT, vector BLOB)")
            },
        ]
    }

    @Test(arguments: UnusableFile.all)
    func unusableFileIsReportedMovedAsideAndRebuilt(_ file: UnusableFile) throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        try file.make(path)
        let originalBytes = try Data(contentsOf: URL(fileURLWithPath: path))

        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        #expect(cache.warnings.count == 1)
        let warning = cache.warnings.first ?? ""
        #expect(warning.contains(path) && warning.contains(file.reasonFragment) && warning.contains("\(path).corrupt-1"), "\(warning)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".corrupt-1")) == originalBytes)

        #expect(cache.vectors(forTextHashes: [hash(0), hash(1)]).isEmpty)
        try cache.store([(textHash: hash(1), vector: [1, 2, 3, 4])])
        #expect(cache.vectors(forTextHashes: [hash(1)]) == [hash(1): [1, 2, 3, 4]])
        #expect(try SQLiteDatabase(path: path).scalar("PRAGMA quick_check")?.text == "ok")
    }

    @Test func movedAsideForeignDatabaseKeepsItsData() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        do {
            let database = try SQLiteDatabase(path: path)
            try database.run("PRAGMA journal_mode = WAL")
            try database.run("CREATE TABLE notes (body TEXT)")
            try database.run("INSERT INTO notes VALUES ('keep me')")
        }
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path + ".corrupt-1"))   // an earlier casualty

        _ = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        let moved = try SQLiteDatabase(path: path + ".corrupt-2")
        #expect(try moved.scalar("SELECT body FROM notes")?.text == "keep me")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".corrupt-1")) == Data("previous".utf8))
    }

    @Test func aFolderAtTheCachePathThrowsAndIsLeftAlone() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let error = #expect(throws: CompileError.self) {
            try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        }
        guard case .cacheUnusable(let reportedPath, let reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(reportedPath == path)
        #expect(reason.contains("unable to open database file"), "\(reason)")
        let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type == .typeDirectory)
    }

    // MARK: - Rows altered behind the cache's back

    @Test func rowWithAlteredVectorBytesIsRejected() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        try cache.store([(textHash: hash(1), vector: [1, 2, 3, 4]), (textHash: hash(2), vector: [5, 6, 7, 8])])

        var altered = EmbeddingCache.encode([1, 2, 3, 4])
        altered[5] ^= 0x01
        let changes = try SQLiteDatabase(path: path).run("UPDATE embedding SET vector = ? WHERE text_sha256 = ?",
                                                          [.blob(altered), .text(hash(1))])
        #expect(changes == 1)

        #expect(cache.vectors(forTextHashes: [hash(1), hash(2)]) == [hash(2): [5, 6, 7, 8]])
        #expect(cache.statistics.rejectedEntries == 1)
        #expect(cache.statistics.misses == 1)

        try cache.store([(textHash: hash(1), vector: [1, 2, 3, 4])])   // re-embedded: the row is overwritten
        #expect(cache.vectors(forTextHashes: [hash(1)]) == [hash(1): [1, 2, 3, 4]])
    }

    @Test(arguments: [
        ("text_sha256", "to another text hash"),
        ("model_fingerprint", "to another model"),
    ])
    func rowMovedToAnotherKeyIsRejected(column: String, _: String) throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        let other = try EmbeddingCache(path: path, modelFingerprint: Self.otherModel, dimension: 4)
        try cache.store([(textHash: hash(1), vector: [1, 2, 3, 4])])
        try other.store([(textHash: hash(2), vector: [5, 6, 7, 8])])

        // Re-key model B's row for text 2: to text 3 (still model B), or to model A (still text 2).
        let newValue = column == "text_sha256" ? hash(3) : Self.model
        try SQLiteDatabase(path: path).run("UPDATE embedding SET \(column) = ? WHERE text_sha256 = ? AND model_fingerprint = ?",
                                           [.text(newValue), .text(hash(2)), .text(Self.otherModel)])
        let lookup = column == "text_sha256" ? other : cache
        let movedHash = column == "text_sha256" ? hash(3) : hash(2)
        #expect(lookup.vectors(forTextHashes: [movedHash]).isEmpty)
        #expect(lookup.statistics.rejectedEntries == 1)
    }

    @Test func rowOfAnotherDimensionIsRejected() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
            .store([(textHash: hash(1), vector: [1, 2, 3, 4]), (textHash: hash(2), vector: [5, 6, 7, 8])])

        // Same fingerprint, different dimension: a caller bug, but the rows must still not come back.
        let narrower = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 3)
        #expect(narrower.vectors(forTextHashes: [hash(1)]).isEmpty)
        #expect(narrower.statistics.rejectedEntries == 1)

        // A row whose dimension column was edited to match a shorter blob fails its checksum.
        try SQLiteDatabase(path: path).run("UPDATE embedding SET dimension = 3, vector = substr(vector, 1, 12) WHERE text_sha256 = ?",
                                           [.text(hash(2))])
        #expect(narrower.vectors(forTextHashes: [hash(2)]).isEmpty)
        #expect(narrower.statistics.rejectedEntries == 2)
    }

    @Test func tokenSignaturesReadBackExactlyAndAlteredOnesAreRejected() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        let tokens = TokenSignatures(dimension: 4, pieceIDs: [7, -1, 2_000_000], words: [0b1010, 0, 0b1111])
        let entry = EmbeddingCache.Entry(vector: [1, 2, 3, 4], tokens: tokens)
        let empty = EmbeddingCache.Entry(vector: [5, 6, 7, 8], tokens: TokenSignatures(dimension: 4, pieceIDs: [], words: []))
        try cache.store(entries: [(hash(1), entry), (hash(2), empty)])
        try cache.store([(textHash: hash(3), vector: [0, 0, 0, 1])])   // no signatures at all
        #expect(cache.entries(forTextHashes: [hash(1), hash(2), hash(3)]) == [
            hash(1): entry, hash(2): empty, hash(3): EmbeddingCache.Entry(vector: [0, 0, 0, 1], tokens: nil),
        ])

        // One flipped bit in the signatures, signatures dropped, or signatures added: all fail the checksum.
        var altered = EmbeddingCache.encode(tokens)
        altered[altered.count - 1] ^= 0x01
        let database = try SQLiteDatabase(path: path)
        try database.run("UPDATE embedding SET tokens = ? WHERE text_sha256 = ?", [.blob(altered), .text(hash(1))])
        try database.run("UPDATE embedding SET tokens = NULL WHERE text_sha256 = ?", [.text(hash(2))])
        try database.run("UPDATE embedding SET tokens = ? WHERE text_sha256 = ?", [.blob(EmbeddingCache.encode(tokens)), .text(hash(3))])
        #expect(cache.entries(forTextHashes: [hash(1), hash(2), hash(3)]).isEmpty)
        #expect(cache.statistics.rejectedEntries == 3)
    }

    @Test func tokenBytesThatDoNotAddUpAreNotDecoded() {
        let tokens = TokenSignatures(dimension: 100, pieceIDs: [1, 2], words: [1, 2, 3, 4])
        let bytes = EmbeddingCache.encode(tokens)
        #expect(EmbeddingCache.decodeTokens(bytes, dimension: 100) == tokens)
        #expect(EmbeddingCache.decodeTokens(Array(bytes.dropLast()), dimension: 100) == nil)
        #expect(EmbeddingCache.decodeTokens(bytes, dimension: 200) == nil, "3 words a token at dimension 200")
        #expect(EmbeddingCache.decodeTokens([0xFF, 0xFF, 0xFF, 0xFF], dimension: 100) == nil)
        #expect(EmbeddingCache.decodeTokens([], dimension: 100) == nil)
    }

    @Test func rowWithWrongTypesIsRejected() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
        try cache.store([(textHash: hash(1), vector: [1, 2, 3, 4])])
        try SQLiteDatabase(path: path).run("UPDATE embedding SET vector = 'not a blob'")
        #expect(cache.vectors(forTextHashes: [hash(1)]).isEmpty)
        #expect(cache.statistics.rejectedEntries == 1)
    }

    // MARK: - Journal mode and concurrency

    @Test func databaseRunsInWALModeAndClosesWhenReleased() throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        do {
            let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 4)
            try cache.store([(textHash: hash(1), vector: [1, 2, 3, 4])])
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try SQLiteDatabase(path: path).scalar("PRAGMA journal_mode")?.text == "wal")
            #expect(try SQLiteDatabase(path: path).scalar("PRAGMA application_id")?.integer == 0x5051_4543)
        }
        // The last connection to close checkpoints and deletes the WAL: proof deinit finalized and closed.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func concurrentTasksReadAndWriteWithoutCorruption() async throws {
        let folder = try TemporaryDirectory("cache")
        let path = folder.path("embeddings.sqlite")
        let cache = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 384)
        let second = try EmbeddingCache(path: path, modelFingerprint: Self.model, dimension: 384)   // a second connection too
        let taskCount = 8, perTask = 24

        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<taskCount {
                let target = task.isMultiple(of: 2) ? cache : second
                group.addTask {
                    for batch in stride(from: 0, to: perTask, by: 6) {
                        let indices = (batch..<batch + 6).map { task * perTask + $0 }
                        // Every task also asks for its neighbour's keys, racing that neighbour's writes.
                        let found = target.vectors(forTextHashes: indices.map { hash(($0 + perTask) % (taskCount * perTask)) })
                        for (key, value) in found { #expect(value.count == 384, "\(key)") }
                        try target.store(indices.map { (textHash: hash($0), vector: vector(seed: UInt64($0), dimension: 384)) })
                    }
                }
            }
            try await group.waitForAll()
        }

        let all = (0..<taskCount * perTask).map(hash)
        let found = cache.vectors(forTextHashes: all)
        #expect(found.count == all.count)
        for index in 0..<all.count {
            #expect(found[hash(index)].map(bits) == bits(vector(seed: UInt64(index), dimension: 384)), "entry \(index)")
        }
        #expect(cache.statistics.rejectedEntries == 0 && second.statistics.rejectedEntries == 0)
        #expect(cache.statistics.stored + second.statistics.stored == all.count)
        #expect(try SQLiteDatabase(path: path).scalar("PRAGMA integrity_check")?.text == "ok")
        #expect(try rowCount(path) == all.count)
    }
}

// MARK: - Helpers

private func hash(_ index: Int) -> String { EmbeddingCache.textHash(of: "chunk \(index)") }

private func vector(seed: UInt64, dimension: Int) -> [Float] {
    var random = SeededGenerator(seed: seed)
    return (0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }
}

/// Compares floats by their bits, so -0.0, NaN payloads and rounding all count.
private func bits(_ vector: [Float]) -> [UInt32] { vector.map(\.bitPattern) }

private func statistics(hits: Int = 0, misses: Int = 0, stored: Int = 0) -> EmbeddingCache.Statistics {
    var statistics = EmbeddingCache.Statistics()
    statistics.hits = hits
    statistics.misses = misses
    statistics.stored = stored
    return statistics
}

private func rowCount(_ path: String) throws -> Int {
    Int(try SQLiteDatabase(path: path).scalar("SELECT count(*) FROM embedding")?.integer ?? -1)
}

/// A closed, checkpointed cache of 300 vectors (about 470 KB), so cutting it loses real pages.
private func makeFullCache(_ path: String) throws {
    let cache = try EmbeddingCache(path: path, modelFingerprint: "filler", dimension: 384)
    try cache.store((0..<300).map { (textHash: hash($0), vector: vector(seed: UInt64($0), dimension: 384)) })
}

private func truncate(_ path: String, to byteCount: UInt64) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: byteCount)
    try handle.close()
}
