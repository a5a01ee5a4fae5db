/// Joins the texts of adjacent chunks into one passage. The chunker repeats up to 32 tokens of a
/// chunk's end at the next chunk's start, so the longest suffix of one text that is a prefix of
/// the next is shown once.
public enum PassageText {
    public static func join(_ texts: [String]) -> String {
        guard var passage = texts.first else { return "" }
        for next in texts.dropFirst() {
            let overlap = longestOverlap(passage, next)
            passage += overlap > 0 ? String(next.dropFirst(overlap)) : "\n\n" + next
        }
        return passage
    }

    /// Characters of the longest suffix of `a` that is a prefix of `b` (at least 8, so a chance
    /// match of a word or two is not taken for the chunker's overlap).
    static func longestOverlap(_ a: String, _ b: String) -> Int {
        let tail = Array(a.suffix(4096)), head = Array(b.prefix(4096))
        var length = min(tail.count, head.count)
        while length >= 8 {
            if tail[(tail.count - length)...].elementsEqual(head[..<length]) { return length }
            length -= 1
        }
        return 0
    }
}
