import Retrieval

/// An answer without a language model: the sentences of the top passages that share the most
/// terms with the question (search's terms: stemmed words, and codes and amounts kept whole, so
/// "$5,000" meets "5,000"), each followed by its passage's `[n]`.
///
/// Used when no model is configured, and as the fallback when the model fails, is late, or cites
/// nothing we sent. It quotes the handbook, so it cannot state anything the passages do not.
public enum ExtractiveAnswerer {
    public struct Answer: Sendable, Equatable {
        public var text: String
        /// Passage numbers cited, in the order the answer cites them.
        public var citedNumbers: [Int]
        /// Per cited passage, the first sentence quoted from it.
        public var quotes: [Int: String]
    }

    /// Sentences in the answer at most, and passages they may come from (best first).
    public static let maximumSentenceCount = 3
    public static let consideredPassageCount = 3
    /// Longest sentence quoted, in characters (a run-on table row is cut).
    static let maximumSentenceCharacterCount = 400

    /// The answer for `question` from `passages` (best first). Always quotes at least one sentence
    /// (the first passage's first when none shares a word), so passages give at least one citation.
    public static func answer(question: String, passages: [Passage]) -> Answer {
        let questionTerms = Set(terms(question))
        struct Candidate { var passage: Int; var position: Int; var sentence: String; var overlap: Int; var score: Double }
        var candidates: [Candidate] = []
        for (rank, passage) in passages.prefix(consideredPassageCount).enumerated() {
            for (position, sentence) in sentences(passage.text).enumerated() {
                let overlap = Set(terms(sentence)).intersection(questionTerms).count
                // A small bonus for the better-ranked passage breaks ties toward retrieval's order.
                candidates.append(Candidate(passage: passage.number, position: position, sentence: sentence, overlap: overlap,
                                            score: Double(overlap) + 0.3 / Double(rank + 1)))
            }
        }
        guard let firstPassage = passages.first else { return Answer(text: "", citedNumbers: [], quotes: [:]) }
        var chosen: [Candidate] = []
        // The first passage's best sentence: retrieval's best guess (on the gold questions it names
        // the right document more often than word overlap does). And when a sentence elsewhere
        // matches the question clearly better, that one too: hybrid search may rank a section's
        // introduction ("Purpose") first for its words while the rule sits in the second passage.
        let bestFirst = candidates.filter { $0.passage == firstPassage.number }.max(by: { $0.score < $1.score })
        if let best = candidates.max(by: { $0.score < $1.score }) {
            if let bestFirst { chosen.append(bestFirst) }
            if best.passage != firstPassage.number, bestFirst == nil || 4 * (bestFirst?.overlap ?? 0) < 3 * best.overlap {
                chosen.append(best)   // also when the first passage has no sentence at all
            }
        } else if !firstPassage.text.isEmpty {   // no sentence of three words anywhere: quote the text's start
            let text = String(firstPassage.text.prefix(maximumSentenceCharacterCount))
            chosen.append(Candidate(passage: firstPassage.number, position: 0, sentence: text, overlap: 0, score: 0))
        }
        // More sentences only when they match about as well as the best one, on two words at least:
        // a sentence sharing one common word with the question is noise, not support.
        let bestOverlap = candidates.map { $0.overlap }.max() ?? 0
        for candidate in candidates.sorted(by: { $0.score > $1.score }) where chosen.count < maximumSentenceCount {
            guard candidate.overlap >= 2, Double(candidate.overlap) >= 0.75 * Double(bestOverlap),
                  !chosen.contains(where: { $0.sentence == candidate.sentence }) else { continue }
            chosen.append(candidate)
        }
        chosen.sort { ($0.passage, $0.position) < ($1.passage, $1.position) }
        var quotes: [Int: String] = [:]
        var cited: [Int] = []
        let text = chosen.map { candidate -> String in
            if quotes[candidate.passage] == nil { quotes[candidate.passage] = candidate.sentence }
            if !cited.contains(candidate.passage) { cited.append(candidate.passage) }
            return "\(candidate.sentence) [\(candidate.passage)]"
        }.joined(separator: " ")
        return Answer(text: text, citedNumbers: cited, quotes: quotes)
    }

    /// The sentence of `passage` sharing the most words with `text` (its first on a tie): the quote
    /// shown with a citation of the model's answer.
    public static func bestSentence(in passage: Passage, supporting text: String) -> String {
        let wanted = Set(terms(text))
        let all = sentences(passage.text)
        var best = all.first ?? String(passage.text.prefix(maximumSentenceCharacterCount))
        var bestOverlap = 0
        for sentence in all {
            let overlap = Set(terms(sentence)).intersection(wanted).count
            if overlap > bestOverlap { best = sentence; bestOverlap = overlap }
        }
        return best
    }

    /// The passage's sentences: Markdown list and heading markers and table pipes removed, lines
    /// split at ". ", "? ", "! ", fragments under 3 words dropped.
    static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) where !rawLine.hasPrefix("#") {   // headings are not claims
            var line = Substring(rawLine).trimmingPrefix(while: { $0 == " " || $0 == "#" || $0 == "-" || $0 == "*" || $0 == ">" })
            if line.hasPrefix("|") {
                if line.allSatisfy({ $0 == "|" || $0 == "-" || $0 == ":" || $0 == " " }) { continue }   // table rule
                line = Substring(line.split(separator: "|").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }.joined(separator: "; "))
            }
            var sentence = ""
            var previous: Character = " "
            for character in line {
                if character == " ", previous == "." || previous == "?" || previous == "!" {
                    append(sentence, to: &result)
                    sentence = ""
                } else {
                    sentence.append(character)
                }
                previous = character
            }
            append(sentence, to: &result)
        }
        return result
    }

    private static func append(_ sentence: String, to result: inout [String]) {
        var text = sentence.replacing("**", with: "").trimmingCharacters()
        guard text.split(separator: " ").count >= 3 else { return }
        if text.count > maximumSentenceCharacterCount { text = String(text.prefix(maximumSentenceCharacterCount)) + "…" }
        result.append(text)
    }

    /// The terms of words that carry meaning, as search makes them (`SearchTokenizer`): Snowball
    /// stems of words, so "approve", "approved" and "approves" meet; words with digits whole
    /// (`$5,000` → `5000`, `401(k)` → `401k`); neither search's stopwords nor the question words
    /// below, nor single letters.
    static func terms(_ text: String) -> [String] {
        SearchTokenizer.words(text).compactMap { word in
            let hasDigit = word.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
            guard hasDigit || word.count >= 2, !SearchTokenizer.stopwords.contains(word), !stopWords.contains(word) else { return nil }
            return hasDigit ? word : EnglishStemmer.stem(word)
        }
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "are", "can", "how", "what", "when", "where", "who", "why", "which", "does", "did",
        "you", "your", "our", "any", "all", "with", "from", "this", "that", "there", "their", "they", "them",
        "have", "has", "had", "was", "were", "will", "would", "should", "could", "may", "might", "must", "not",
        "but", "about", "into", "than", "then", "its", "it's", "also", "get", "got", "much", "many", "need",
        "needs", "want", "some", "use", "used", "using", "more", "most", "other", "each", "per", "one",
        "policy", "policies", "company", "allowed", "able", "there's", "i'm", "someone", "do", "is",
    ]
}
