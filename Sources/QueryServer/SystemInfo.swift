#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the machine and this process, read from Linux's /proc and /sys.
package enum SystemInfo {
    package static let pageByteCount: Int = {
        #if canImport(Glibc)
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? size : 4096
        #else
        return 4096
        #endif
    }()

    package static var processorCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// This process's resident set (`/proc/self/statm`, second field, times the page size), or nil
    /// where /proc is missing. Counts mapped file pages too (the artifact, the model's weights).
    package static func residentByteCount() -> Int? {
        guard let text = readSmallFile("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * pageByteCount
    }

    /// The container's memory limit: cgroup v2 `memory.max`, else cgroup v1
    /// `memory.limit_in_bytes`; nil when neither sets one ("max", or v1's near-2^63 sentinel).
    package static func memoryLimit(root: String = "/sys/fs/cgroup") -> (byteCount: Int, source: String)? {
        let v2 = root + "/memory.max"
        if let text = readSmallFile(v2) {
            let value = text.trimmingWhitespace
            if value != "max", let bytes = Int(value), bytes > 0 { return (bytes, v2) }
            return nil
        }
        let v1 = root + "/memory/memory.limit_in_bytes"
        if let text = readSmallFile(v1), let bytes = Int(text.trimmingWhitespace),
           bytes > 0, bytes < (1 << 60) {
            return (bytes, v1)
        }
        return nil
    }

    /// A small text file read whole (procfs files report size 0, so read until the end).
    package static func readSmallFile(_ path: String) -> String? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return String(decoding: data.prefix(4096), as: UTF8.self)
    }
}
