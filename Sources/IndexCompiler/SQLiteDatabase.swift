// Unsafe code allowed here: the one wrapper around SQLite's C API (the sqlite3 handle and its statements).
import CSQLite
import Foundation

/// One SQLite connection (`sqlite3_open_v2` / `sqlite3_close_v2`) and the statements prepared on it
/// (`sqlite3_prepare_v3` / `sqlite3_finalize`), all released in `deinit`; there is no `close()`.
///
/// Callers pass SQL and arguments and get rows of ``Value``s back; binding, stepping and reading
/// columns happen here and nowhere else. Statements are prepared once per SQL text and reused.
///
/// Not thread-safe: the connection is opened with `SQLITE_OPEN_NOMUTEX`, and the type is not
/// `Sendable`, so the compiler keeps one instance on one task at a time (``EmbeddingCache`` holds it
/// behind a mutex).
@safe final class SQLiteDatabase {
    /// A value bound to a parameter or read from a column.
    enum Value: Equatable, Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])

        var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
        var text: String? { if case .text(let value) = self { value } else { nil } }
        var blob: [UInt8]? { if case .blob(let value) = self { value } else { nil } }
    }

    /// A failed SQLite call: what was attempted, SQLite's result code and `sqlite3_errmsg` text.
    struct Failure: Error, Equatable, CustomStringConvertible {
        let path: String
        let operation: String
        /// The extended result code; `primaryCode` is its low byte (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, …).
        let code: Int32
        let message: String

        var primaryCode: Int32 { code & 0xFF }
        /// The file is not a database or its pages are inconsistent: rebuilding it is the only repair.
        var isDamagedFile: Bool { primaryCode == SQLITE_CORRUPT || primaryCode == SQLITE_NOTADB }
        var description: String { "\(operation): \(message) (SQLite code \(code))" }
    }

    enum TransactionKind: String {
        /// Takes the write lock at once, so a read-then-write body never fails with SQLITE_BUSY midway.
        case immediate = "BEGIN IMMEDIATE"
        /// Takes locks as statements need them: enough for reads.
        case deferred = "BEGIN DEFERRED"
    }

    let path: String
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = unsafe [:]

    /// Opens (creating it, and any missing folders, if needed) the database at `path`.
    ///
    /// Opening does not read the file: a file that is not a database fails at the first statement
    /// with `SQLITE_NOTADB`. Sets a busy timeout, extended result codes and defensive mode
    /// (`SQLITE_DBCONFIG_DEFENSIVE`, untrusted schema), since the file may have been written by anyone.
    init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(Failure) {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(path: path, operation: "create folder \(folder.path)", code: SQLITE_CANTOPEN,
                          message: "\(error.localizedDescription)")
        }
        var handle: OpaquePointer? = nil
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = unsafe sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let opened = unsafe handle else {
            // On failure SQLite usually still allocates a handle that carries the message and must be closed.
            let message = unsafe handle.map { unsafe String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            unsafe sqlite3_close_v2(handle)
            throw Failure(path: path, operation: "open", code: status, message: message)
        }
        unsafe self.handle = opened
        unsafe sqlite3_busy_timeout(opened, busyTimeoutMilliseconds)
        var ignored: Int32 = 0
        unsafe csqlite_db_config_int(opened, SQLITE_DBCONFIG_DEFENSIVE, 1, &ignored)
        unsafe csqlite_db_config_int(opened, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &ignored)
    }

    deinit {
        for unsafe statement in unsafe statements.values { unsafe sqlite3_finalize(statement) }
        unsafe sqlite3_close_v2(handle)
    }

    /// Runs `sql` once with `arguments` bound to its `?` parameters and returns every row.
    ///
    /// The statement is prepared on first use (`sqlite3_prepare_v3` with `SQLITE_PREPARE_PERSISTENT`),
    /// then reset and its bindings cleared after each run, so a failed run leaves nothing pending.
    @discardableResult
    func rows(_ sql: String, _ arguments: [Value] = []) throws(Failure) -> [[Value]] {
        let statement = unsafe try prepared(sql)
        defer {
            unsafe sqlite3_reset(statement)
            unsafe sqlite3_clear_bindings(statement)
        }
        for (offset, argument) in arguments.enumerated() {
            unsafe try bind(argument, at: Int32(offset + 1), in: statement, sql: sql)
        }
        var result: [[Value]] = []
        let columnCount = unsafe sqlite3_column_count(statement)
        while true {
            let status = unsafe sqlite3_step(statement)
            if status == SQLITE_DONE { return result }
            guard status == SQLITE_ROW else { throw failure("step \(Self.summary(sql))", status) }
            result.append((0..<columnCount).map { unsafe column($0, of: statement) })
        }
    }

    /// Runs `sql` with `arguments` and returns the number of rows it changed (`sqlite3_changes64`).
    @discardableResult
    func run(_ sql: String, _ arguments: [Value] = []) throws(Failure) -> Int {
        try rows(sql, arguments)
        return Int(unsafe sqlite3_changes64(handle))
    }

    /// The first column of the first row, or nil when there are no rows: for pragmas and counts.
    func scalar(_ sql: String, _ arguments: [Value] = []) throws(Failure) -> Value? {
        try rows(sql, arguments).first?.first
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    func transaction<Result>(_ kind: TransactionKind = .immediate,
                             _ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        try run(kind.rawValue)
        let result: Result
        do {
            result = try body()
        } catch {
            // The rollback's own failure (say, no transaction is active after SQLITE_FULL) adds nothing.
            _ = try? run("ROLLBACK")
            throw error
        }
        do {
            try run("COMMIT")
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
        return result
    }

    // MARK: - Statements, binding and columns

    private func prepared(_ sql: String) throws(Failure) -> OpaquePointer {
        if let statement = unsafe statements[sql] { return unsafe statement }
        var statement: OpaquePointer? = nil
        let status = unsafe sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement = unsafe statement else {
            unsafe sqlite3_finalize(statement)
            throw failure("prepare \(Self.summary(sql))", status)
        }
        unsafe statements[sql] = statement
        return unsafe statement
    }

    /// `sqlite3_bind_*`; text and blobs are copied by SQLite (`SQLITE_TRANSIENT`), so Swift's buffers may end after the call.
    private func bind(_ value: Value, at index: Int32, in statement: OpaquePointer, sql: String) throws(Failure) {
        let status: Int32
        switch value {
        case .null:
            status = unsafe sqlite3_bind_null(statement, index)
        case .integer(let integer):
            status = unsafe sqlite3_bind_int64(statement, index, integer)
        case .real(let real):
            status = unsafe sqlite3_bind_double(statement, index, real)
        case .text(let text):
            // withCString hands over all the UTF-8 bytes (embedded NULs included), so pass the byte count, not -1.
            let byteCount = Int32(text.utf8.count)
            status = unsafe text.withCString { unsafe sqlite3_bind_text(statement, index, $0, byteCount, csqlite_transient()) }
        case .blob(let bytes):
            if bytes.isEmpty {
                status = unsafe sqlite3_bind_zeroblob(statement, index, 0)
            } else {
                status = unsafe bytes.withUnsafeBytes { buffer in
                    unsafe sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
                }
            }
        }
        guard status == SQLITE_OK else { throw failure("bind parameter \(index) of \(Self.summary(sql))", status) }
    }

    /// `sqlite3_column_*` for the current row. Pointer then byte count, in the order SQLite's docs require.
    private func column(_ index: Int32, of statement: OpaquePointer) -> Value {
        switch unsafe sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(unsafe sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT:
            return .real(unsafe sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = unsafe sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(unsafe sqlite3_column_bytes(statement, index))
            return unsafe .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            guard let blob = unsafe sqlite3_column_blob(statement, index) else { return .blob([]) }
            let count = Int(unsafe sqlite3_column_bytes(statement, index))
            return unsafe .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    private func failure(_ operation: String, _ status: Int32) -> Failure {
        // sqlite3_errmsg describes the most recent failed call on this connection, which is this one.
        Failure(path: path, operation: operation, code: status, message: unsafe String(cString: sqlite3_errmsg(handle)))
    }

    /// The start of a statement, for messages: enough to recognise it, never any bound values.
    private static func summary(_ sql: String) -> String {
        let words = sql.split(whereSeparator: \.isWhitespace).prefix(4).joined(separator: " ")
        return "`\(words)`"
    }
}
