import Foundation

/// Opening the cache file: check that it is ours and intact, else move it aside and start afresh.
extension EmbeddingCache {
    /// What an existing file turned out to be.
    enum Verdict: Equatable {
        /// Our application id, schema version and tables, and `quick_check` passes.
        case ours
        /// A new (or zero-byte) database with nothing in it yet.
        case empty
        /// Someone else's database, another schema version, or a damaged file; the reason is for people.
        case unusable(reason: String)
    }

    /// The suffixes of the files SQLite keeps beside a database, moved aside together with it.
    static let companionSuffixes = ["", "-wal", "-shm", "-journal"]

    /// Opens `path`, rebuilding it if needed. Returns the ready connection and any warnings.
    static func open(path: String) throws(CompileError) -> (SQLiteDatabase, [String]) {
        let problem: String
        do throws(SQLiteDatabase.Failure) {
            let database = try SQLiteDatabase(path: path)
            switch try inspect(database) {
            case .ours:
                return (database, try configure(database))
            case .empty:
                let warnings = try configure(database)
                try createSchema(database)
                return (database, warnings)
            case .unusable(let reason):
                problem = reason
            }
        } catch where error.isDamagedFile {
            problem = "is damaged (\(error.operation): \(error.message))"
        } catch {
            throw .cacheUnusable(path: path, reason: error.description)
        }
        // The first connection is released by now, so its files can be moved.
        let movedTo = try moveAside(path)
        let warning = "the embedding cache \(path) \(problem); moved it to \(movedTo) and started an empty cache, so every chunk is embedded again"
        do throws(SQLiteDatabase.Failure) {
            let database = try SQLiteDatabase(path: path)
            guard try inspect(database) == .empty else {
                throw SQLiteDatabase.Failure(path: path, operation: "create", code: 0,
                                             message: "a new cache file was not empty; another process may be writing it")
            }
            let warnings = try configure(database)
            try createSchema(database)
            return (database, [warning] + warnings)
        } catch {
            throw .cacheUnusable(path: path, reason: "rebuilding after moving the old file to \(movedTo): \(error)")
        }
    }

    /// Classifies an open database. Throws (`SQLITE_NOTADB`, `SQLITE_CORRUPT`) when the file is not readable SQLite.
    static func inspect(_ database: SQLiteDatabase) throws(SQLiteDatabase.Failure) -> Verdict {
        let applicationID = try database.scalar("PRAGMA application_id")?.integer ?? 0
        let userVersion = try database.scalar("PRAGMA user_version")?.integer ?? 0
        let objects = try database.rows("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
        if applicationID == 0, userVersion == 0, objects.isEmpty { return .empty }
        guard applicationID == Self.applicationID else {
            return .unusable(reason: "is not a policyc embedding cache (application_id \(hex(applicationID)), expected \(hex(Self.applicationID)))")
        }
        guard userVersion == Self.schemaVersion else {
            return .unusable(reason: "has schema version \(userVersion), this policyc reads version \(Self.schemaVersion)")
        }
        // One message a row, some spanning lines ("*** in database main ***\n…"): flatten for a one-line warning.
        let problems = try database.rows("PRAGMA quick_check(3)").compactMap { $0.first?.text?.split(whereSeparator: \.isNewline).joined(separator: " ") }
        guard problems == ["ok"] else {
            return .unusable(reason: "is damaged (quick_check: \(problems.joined(separator: " ")))")
        }
        guard objects == expectedSchema else {
            let names = objects.compactMap { $0.count > 1 ? $0[1].text : nil }
            return .unusable(reason: "has a schema that is not the cache's (objects: \(names.joined(separator: ", ")))")
        }
        return .ours
    }

    /// `sqlite_schema` rows of a healthy cache, in `inspect`'s order.
    static var expectedSchema: [[SQLiteDatabase.Value]] {
        [
            [.text("index"), .text("sqlite_autoindex_embedding_1"), .text("embedding"), .null],
            [.text("table"), .text("embedding"), .text("embedding"), .text(createTableSQL)],
        ]
    }

    /// WAL (readers never block the writer) with `synchronous=NORMAL`: a power cut can lose the last
    /// few stores, never corrupt the file, and lost vectors are simply embedded again.
    /// Returns a warning if the file system refuses WAL.
    static func configure(_ database: SQLiteDatabase) throws(SQLiteDatabase.Failure) -> [String] {
        let mode = try database.scalar("PRAGMA journal_mode = WAL")?.text ?? "unknown"
        try database.run("PRAGMA synchronous = NORMAL")
        guard mode.lowercased() == "wal" else {
            return ["the embedding cache \(database.path) runs in \(mode) journal mode because the file system refused WAL; it works, but concurrent compiles wait for each other"]
        }
        return []
    }

    /// Creates the table and stamps the header, unless another connection did so first.
    static func createSchema(_ database: SQLiteDatabase) throws(SQLiteDatabase.Failure) {
        try database.transaction(.immediate) { () throws(SQLiteDatabase.Failure) in
            guard try database.rows("SELECT name FROM sqlite_schema").isEmpty else { return }
            try database.run("PRAGMA application_id = \(Self.applicationID)")
            try database.run("PRAGMA user_version = \(Self.schemaVersion)")
            try database.run(createTableSQL)
        }
        guard try inspect(database) == .ours else {
            throw SQLiteDatabase.Failure(path: database.path, operation: "create schema", code: 0,
                                         message: "another program wrote a different schema into the new file")
        }
    }

    /// Renames `path` (and its companions) to `<path>.corrupt-<n>` with the first unused `n`; returns that path.
    static func moveAside(_ path: String) throws(CompileError) -> String {
        let files = FileManager.default
        var number = 1
        while companionSuffixes.contains(where: { files.fileExists(atPath: "\(path).corrupt-\(number)\($0)") }) {
            number += 1
        }
        let target = "\(path).corrupt-\(number)"
        for suffix in companionSuffixes where files.fileExists(atPath: path + suffix) {
            do {
                try files.moveItem(atPath: path + suffix, toPath: target + suffix)
            } catch {
                throw .cacheUnusable(path: path, reason: "it is damaged or not ours, and moving it to \(target + suffix) failed: \(error.localizedDescription)")
            }
        }
        return target
    }

    private static func hex(_ value: Int64) -> String { "0x" + String(UInt32(truncatingIfNeeded: value), radix: 16) }
}
