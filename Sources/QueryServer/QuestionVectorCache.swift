import Embeddings
import Synchronization

/// The encodings of recent questions (vector and token signatures), least recently used evicted
/// first. Keys are questions with surrounding whitespace removed; a hit skips the model entirely.
/// Bounded by `capacity` entries (each about 4 bytes × dimension, plus 52 bytes a token, plus the
/// question: about 2.5 KB for a question of 15 tokens).
package final class QuestionVectorCache: Sendable {
    package struct Statistics: Sendable {
        package var entryCount: Int
        package var hitCount: Int
        package var missCount: Int
    }

    package let capacity: Int
    private let storage: Mutex<LRUStorage<TextEncoding>>

    package init(capacity: Int) {
        self.capacity = capacity
        storage = Mutex(LRUStorage(capacity: capacity))
    }

    package func encoding(for question: String) -> TextEncoding? {
        storage.withLock { $0.value(for: question) }
    }

    package func insert(_ encoding: TextEncoding, for question: String) {
        guard capacity > 0 else { return }
        storage.withLock { $0.insert(encoding, for: question) }
    }

    package var statistics: Statistics {
        storage.withLock { Statistics(entryCount: $0.count, hitCount: $0.hitCount, missCount: $0.missCount) }
    }
}

/// A fixed-capacity LRU map: slots in an array, linked by index from most to least recent.
struct LRUStorage<Value> {
    private struct Slot {
        var key: String
        var value: Value
        var newer: Int   // -1: none
        var older: Int   // -1: none
    }

    let capacity: Int
    private var slots: [Slot] = []
    private var indexByKey: [String: Int] = [:]
    private var newest = -1
    private var oldest = -1
    private(set) var hitCount = 0
    private(set) var missCount = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { slots.count }

    /// The keys from most to least recently used (for tests).
    var keysByRecency: [String] {
        var keys: [String] = []
        var index = newest
        while index >= 0 { keys.append(slots[index].key); index = slots[index].older }
        return keys
    }

    mutating func value(for key: String) -> Value? {
        guard let index = indexByKey[key] else { missCount += 1; return nil }
        hitCount += 1
        moveToFront(index)
        return slots[index].value
    }

    mutating func insert(_ value: Value, for key: String) {
        guard capacity > 0 else { return }
        if let index = indexByKey[key] {
            slots[index].value = value
            moveToFront(index)
            return
        }
        if slots.count < capacity {
            slots.append(Slot(key: key, value: value, newer: -1, older: -1))
            let index = slots.count - 1
            indexByKey[key] = index
            linkAtFront(index)
            return
        }
        // Reuse the least recently used slot.
        let index = oldest
        unlink(index)
        indexByKey[slots[index].key] = nil
        slots[index].key = key
        slots[index].value = value
        indexByKey[key] = index
        linkAtFront(index)
    }

    private mutating func moveToFront(_ index: Int) {
        guard index != newest else { return }
        unlink(index)
        linkAtFront(index)
    }

    private mutating func unlink(_ index: Int) {
        let newer = slots[index].newer, older = slots[index].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[index].newer = -1
        slots[index].older = -1
    }

    private mutating func linkAtFront(_ index: Int) {
        slots[index].older = newest
        slots[index].newer = -1
        if newest >= 0 { slots[newest].newer = index }
        newest = index
        if oldest < 0 { oldest = index }
    }
}
