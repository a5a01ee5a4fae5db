import IndexFormat

/// Builds the lexicon section from chunk texts with the search tokenizer (the compiler's side of
/// lexical search; the daemon tokenizes queries with the same `SearchTokenizer`).
public enum LexiconBuilder {
    /// BM25's usual parameters (Robertson and Zaragoza, "The Probabilistic Relevance Framework:
    /// BM25 and Beyond", 2009; also Lucene's defaults).
    public static let defaultK1: Float = 1.2
    public static let defaultB: Float = 0.75

    /// The lexicon section for `texts` (chunk `i` is `texts[i]`).
    public static func section(for texts: [String], k1: Float = defaultK1, b: Float = defaultB) throws(ArtifactError) -> SectionPayload {
        let (terms, lengths) = index(texts)
        return try LexiconWriter.section(terms: terms, chunkLengths: lengths, k1: k1, b: b, tokenizerVersion: SearchTokenizer.version)
    }

    /// Every term's postings and every chunk's length in terms.
    public static func index(_ texts: [String]) -> (terms: [LexiconWriter.Term], chunkLengths: [Int]) {
        var postings: [String: [Posting]] = [:]
        var lengths: [Int] = []
        lengths.reserveCapacity(texts.count)
        for (chunk, text) in texts.enumerated() {
            let terms = SearchTokenizer.terms(text)
            lengths.append(terms.count)
            var counts: [String: Int] = [:]
            for term in terms { counts[term, default: 0] += 1 }
            for (term, count) in counts { postings[term, default: []].append(Posting(chunkIndex: chunk, termFrequency: count)) }
        }
        return (postings.map { LexiconWriter.Term(text: $0.key, postings: $0.value) }, lengths)
    }
}
