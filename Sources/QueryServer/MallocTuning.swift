#if canImport(CMalloc)
import CMalloc
#endif

/// glibc's allocator settings for a small long-running server (`mallopt`, `malloc_trim`).
///
/// glibc gives each thread that contends for a lock an arena of its own, up to 8 per core, and an
/// arena returns freed memory to the system only from its top. Requests hop between NIO's event
/// loops, its thread pool and Swift's cooperative threads, so freed blocks scatter over many
/// arenas: anonymous memory grew to about 110 MB under a 503 flood, and `malloc_trim` gave back
/// 21 MB of it. Few arenas and a trim after each burst keep resident memory near what is in use.
package enum MallocTuning {
    /// Caps glibc's arenas at `count` (`mallopt(M_ARENA_MAX)`); call it before threads start.
    /// Returns false where that is not glibc (the setting is then left alone).
    @discardableResult
    package static func limitArenas(to count: Int) -> Bool {
        #if canImport(CMalloc)
        return mallopt(M_ARENA_MAX, Int32(clamping: count)) == 1
        #else
        return false
        #endif
    }

    /// Returns free memory at the top of every arena, and whole free pages inside them, to the
    /// system (`malloc_trim(0)`). Takes about a millisecond; true when something was released.
    @discardableResult
    package static func releaseFreeMemory() -> Bool {
        #if canImport(CMalloc)
        return malloc_trim(0) == 1
        #else
        return false
        #endif
    }
}
