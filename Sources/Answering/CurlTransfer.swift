// Unsafe code allowed here: the one wrapper around libcurl's easy interface (its handle, the
// header list and the C callbacks that hand data back to Swift). Nothing else imports CCurl.
// libcurl is opened on first use, not linked (Sources/CCurl/include/CCurl.h says why).
import CCurl
import Synchronization

/// One blocking HTTP POST over libcurl, run on the calling thread (the client's own thread pool,
/// never an event loop). Body bytes go to `Receiver` as they arrive, so a stream is parsed while
/// it streams; the receiver can abort the transfer at any callback.
enum CurlTransfer {
    struct Request: Sendable {
        var url: String
        /// Complete header lines ("Content-Type: application/json").
        var headers: [String]
        var body: [UInt8]
        var connectTimeoutMilliseconds: Int
        /// The whole transfer, connecting included.
        var totalTimeoutMilliseconds: Int
    }

    enum Failure: Error, Equatable {
        /// libcurl's timeout (CURLE_OPERATION_TIMEDOUT): connecting or the whole transfer.
        case timedOut
        /// The receiver asked to stop (deadline, cancellation, a reply it cannot use).
        case abortedByReceiver
        case other(String)
    }

    /// What the transfer delivers, called on the transferring thread only.
    final class Receiver {
        /// The status of the last response line seen ("HTTP/1.1 429 …" → 429); 0 before any.
        fileprivate(set) var status = 0
        /// `Retry-After` in seconds, when the response had one in that form.
        fileprivate(set) var retryAfterSeconds: Double?
        /// Body bytes and the status they belong to; false stops the transfer.
        let onBody: (_ bytes: [UInt8], _ status: Int) -> Bool
        /// Polled at least once a second (libcurl's progress callback); true stops the transfer.
        let shouldStop: () -> Bool

        init(onBody: @escaping ([UInt8], Int) -> Bool, shouldStop: @escaping () -> Bool) {
            self.onBody = onBody
            self.shouldStop = shouldStop
        }

        fileprivate func header(_ line: String) {
            if line.hasPrefix("HTTP/") {
                let parts = line.split(separator: " ")
                status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                retryAfterSeconds = nil
            } else if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "retry-after" {
                retryAfterSeconds = Double(line[line.index(after: colon)...].trimmingCharacters())
            }
        }
    }

    /// Opens libcurl and runs its process-wide set-up, once, before the first handle (required
    /// before threads use it). nil when both worked; else what went wrong and what to do.
    static let loadProblem: String? = {
        guard ccurl_load() == 0 else { return loadFailureMessage(reason: unsafe String(cString: ccurl_load_error())) }
        let code = ccurl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard code == CURLE_OK else { return "libcurl's set-up failed (\(message(code)))" }
        return nil
    }()

    /// What `ccurl_load` would say of `libraryName` instead of libcurl (nil when it would load):
    /// the failure messages, testable without breaking this process's libcurl.
    static func loadProblem(ofLibrary libraryName: String) -> String? {
        var reason = [CChar](repeating: 0, count: 512)
        let status = unsafe reason.withUnsafeMutableBufferPointer { unsafe ccurl_check_library(libraryName, $0.baseAddress, $0.count) }
        guard status != 0 else { return nil }
        return loadFailureMessage(reason: unsafe reason.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) })
    }

    private static func loadFailureMessage(reason: String) -> String {
        "libcurl could not be loaded (\(reason)); install Debian's libcurl4 package, or unset LLM_BASE_URL to answer from the passages"
    }

    /// One easy handle; `curl_easy_cleanup` when released. Used by one thread at a time.
    @safe private final class Handle: @unchecked Sendable {   // handed between threads through `idle`, never shared
        let pointer: UnsafeMutableRawPointer
        init?() {
            guard loadProblem == nil, let pointer = unsafe ccurl_easy_init() else { return nil }
            unsafe self.pointer = pointer
        }
        deinit { unsafe ccurl_easy_cleanup(pointer) }
    }

    /// Handles between transfers. A handle keeps its connections open, so the next answer skips
    /// the TCP and TLS handshakes with a hosted model; `curl_easy_reset` clears the options only.
    private static let idle = Mutex<[Handle]>([])
    private static let maximumIdleHandleCount = 8

    /// Runs `request` to the end. Success means an HTTP exchange finished (any status: the
    /// receiver saw it); failures are transport problems, timeouts and aborts.
    static func perform(_ request: Request, receiver: Receiver) -> Result<Void, Failure> {
        if let loadProblem { return .failure(.other(loadProblem)) }
        guard let reused = idle.withLock({ $0.popLast() }) ?? Handle() else { return .failure(.other("libcurl could not start a transfer")) }
        let handle = unsafe reused.pointer
        unsafe ccurl_easy_reset(handle)
        defer { idle.withLock { if $0.count < maximumIdleHandleCount { $0.append(reused) } } }
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        for line in request.headers { unsafe headerList = unsafe ccurl_slist_append(headerList, line) }
        defer { unsafe ccurl_slist_free_all(headerList) }

        let context = unsafe Unmanaged.passUnretained(receiver).toOpaque()
        var codes: [CURLcode] = []
        unsafe codes.append(ccurl_setopt_string(handle, CURLOPT_URL, request.url))
        // Threads: no signals (libcurl's DNS timeout uses SIGALRM otherwise).
        unsafe codes.append(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        unsafe codes.append(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        unsafe codes.append(ccurl_setopt_long(handle, CURLOPT_POST, 1))
        unsafe codes.append(ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count))
        // COPYPOSTFIELDS copies the bytes; the JSON body has no NUL, so it passes as a C string.
        unsafe codes.append(ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, String(decoding: request.body, as: UTF8.self)))
        unsafe codes.append(ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)))
        unsafe codes.append(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds))
        unsafe codes.append(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.totalTimeoutMilliseconds))
        unsafe codes.append(ccurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback))
        unsafe codes.append(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        unsafe codes.append(ccurl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback))
        unsafe codes.append(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        unsafe codes.append(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        unsafe codes.append(ccurl_setopt_progress_callback(handle, progressCallback))
        unsafe codes.append(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
        if let bad = codes.first(where: { $0 != CURLE_OK }) { return .failure(.other(message(bad))) }

        let code = unsafe ccurl_easy_perform(handle)
        withExtendedLifetime(receiver) {}
        switch code {
        case CURLE_OK: return .success(())
        case CURLE_OPERATION_TIMEDOUT: return .failure(.timedOut)
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR: return .failure(.abortedByReceiver)
        default: return .failure(.other(message(code)))
        }
    }

    /// libcurl's description of `code` (static text: no URL, no header, no key).
    private static func message(_ code: CURLcode) -> String {
        unsafe String(cString: ccurl_easy_strerror(code))
    }

    private static let writeCallback: ccurl_data_callback = { data, size, count, context in
        let byteCount = size * count
        guard let data = unsafe data, let context = unsafe context else { return 0 }
        let receiver = unsafe Unmanaged<Receiver>.fromOpaque(context).takeUnretainedValue()
        let bytes = unsafe Array(UnsafeRawBufferPointer(start: data, count: byteCount))
        return receiver.onBody(bytes, receiver.status) ? byteCount : 0
    }

    private static let headerCallback: ccurl_data_callback = { data, size, count, context in
        let byteCount = size * count
        guard let data = unsafe data, let context = unsafe context else { return 0 }
        let receiver = unsafe Unmanaged<Receiver>.fromOpaque(context).takeUnretainedValue()
        let line = unsafe String(decoding: UnsafeRawBufferPointer(start: data, count: byteCount), as: UTF8.self)
        receiver.header(line.trimmingCharacters())
        return byteCount
    }

    private static let progressCallback: ccurl_progress_callback = { context, _, _, _, _ in
        guard let context = unsafe context else { return 0 }
        let receiver = unsafe Unmanaged<Receiver>.fromOpaque(context).takeUnretainedValue()
        return receiver.shouldStop() ? 1 : 0
    }
}
