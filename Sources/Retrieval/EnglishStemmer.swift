/// The Snowball English stemmer ("Porter2"), as published at snowballstem.org (`english.sbl`, Snowball 3.1).
///
/// Works on lower-case ASCII words (the search tokenizer folds accents first); a word with any
/// other byte is returned unchanged. Each step below is named and ordered as in `english.sbl`;
/// `Tests/RetrievalTests/Fixtures/snowball-english.tsv` (made by `tools/golden/make_stems.py`
/// with the Snowball project's own Python stemmer, 3.1) pins the output for every word of a large list.
public enum EnglishStemmer {
    /// The stem of `word`.
    public static func stem(_ word: String) -> String {
        let bytes = Array(word.utf8)
        guard bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x27 }) else { return word }
        if let special = exceptions1[word] { return special }
        guard bytes.count > 2 else { return word }
        var state = Word(bytes)
        state.stem()
        return String(decoding: state.letters, as: UTF8.self)
    }

    /// Whole words with a fixed stem (checked before any step).
    static let exceptions1: [String: String] = [
        "skis": "ski", "skies": "sky", "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli",
        "only": "onli", "singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
        "cosmos": "cosmos", "bias": "bias", "andes": "andes",
    ]
}

/// One word being stemmed: its letters (`Y` marks a consonant y) and the starts of R1 and R2.
private struct Word {
    var letters: [UInt8]
    var r1 = 0
    var r2 = 0

    static let apostrophe = UInt8(ascii: "'")
    static let consonantY = UInt8(ascii: "Y")

    init(_ letters: [UInt8]) { self.letters = letters }

    mutating func stem() {
        prelude()
        markRegions()
        step1a()
        step1b()
        step1c()
        step2()
        step3()
        step4()
        step5()
        postlude()
    }

    // MARK: Letters

    static func isVowel(_ letter: UInt8) -> Bool {
        switch letter {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "y"): true
        default: false
        }
    }

    /// A short syllable ends at `end` (exclusive): non-vowel, vowel, non-vowel other than w, x, Y;
    /// or, at the word's start, vowel then non-vowel; or the letters "past".
    func endsWithShortSyllable(_ end: Int) -> Bool {
        if end >= 3, !Self.isVowel(letters[end - 3]), Self.isVowel(letters[end - 2]), !Self.isVowel(letters[end - 1]),
           ![UInt8(ascii: "w"), UInt8(ascii: "x"), Self.consonantY].contains(letters[end - 1]) {
            return true
        }
        if end == 2, Self.isVowel(letters[0]), !Self.isVowel(letters[1]) { return true }
        return end >= 4 && letters[(end - 4)..<end].elementsEqual("past".utf8)
    }

    /// Whether the letters before `end` hold a vowel.
    func hasVowel(before end: Int) -> Bool { letters[..<end].contains(where: Self.isVowel) }

    /// The longest of `suffixes` the word ends with.
    func longestSuffix(_ suffixes: [String]) -> String? {
        var best: String?
        for suffix in suffixes where suffix.utf8.count > (best?.utf8.count ?? -1) && letters.count >= suffix.utf8.count {
            if letters.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) { best = suffix }
        }
        return best
    }

    mutating func replaceSuffix(_ count: Int, with replacement: String) {
        letters.removeLast(count)
        letters.append(contentsOf: replacement.utf8)
    }

    // MARK: Steps

    /// Drops a leading apostrophe; marks y at the start or after a vowel as a consonant (`Y`).
    mutating func prelude() {
        if letters.first == Self.apostrophe { letters.removeFirst() }
        for index in letters.indices where letters[index] == UInt8(ascii: "y") {
            if index == 0 || Self.isVowel(letters[index - 1]) { letters[index] = Self.consonantY }
        }
    }

    /// Prefixes after which R1 starts, whatever their letters.
    static let regionPrefixes = ["arsen", "commun", "emerg", "gener", "inter", "later", "organ", "past", "univers"]

    /// R1 starts after the first non-vowel that follows a vowel (or after one of `regionPrefixes`);
    /// R2 is the same rule applied again inside R1.
    mutating func markRegions() {
        func regionStart(from start: Int) -> Int {
            var index = start
            while index < letters.count, !Self.isVowel(letters[index]) { index += 1 }
            while index < letters.count, Self.isVowel(letters[index]) { index += 1 }
            return index < letters.count ? index + 1 : letters.count
        }
        let word = String(decoding: letters, as: UTF8.self)
        if let prefix = Self.regionPrefixes.first(where: { word.hasPrefix($0) }) {
            r1 = prefix.utf8.count
        } else {
            r1 = regionStart(from: 0)
        }
        r2 = regionStart(from: r1)
    }

    mutating func step1a() {
        if let suffix = longestSuffix(["'", "'s", "'s'"]) { letters.removeLast(suffix.utf8.count) }
        switch longestSuffix(["sses", "ied", "ies", "s", "us", "ss"]) {
        case "sses": replaceSuffix(4, with: "ss")
        case "ied", "ies": replaceSuffix(3, with: letters.count > 4 ? "i" : "ie")
        case "s":
            if hasVowel(before: letters.count - 2) { letters.removeLast() }
        default: break
        }
    }

    mutating func step1b() {
        guard let suffix = longestSuffix(["eed", "eedly", "ed", "edly", "ing", "ingly"]) else { return }
        let start = letters.count - suffix.utf8.count
        let stem = String(decoding: letters[..<start], as: UTF8.self)
        switch suffix {
        case "eed", "eedly":
            // succeed, proceed, exceed keep their e's.
            if start >= r1, !["succ", "proc", "exc"].contains(stem) { replaceSuffix(suffix.utf8.count, with: "ee") }
            return
        case "ing":
            // dying, lying, tying: a consonant then -ying becomes -ie.
            if start == 2, letters[1] == UInt8(ascii: "y"), !Self.isVowel(letters[0]) {
                replaceSuffix(4, with: "ie")
                return
            }
            if ["even", "cann", "inn", "earr", "herr", "out"].contains(stem) { return }
        default: break
        }
        guard hasVowel(before: start) else { return }
        letters.removeLast(suffix.utf8.count)
        if longestSuffix(["at", "bl", "iz"]) != nil {
            letters.append(UInt8(ascii: "e"))
        } else if longestSuffix(["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"]) != nil {
            // add, err, ebb, off...: a three-letter word starting with a, e or o keeps its double letter.
            if letters.count == 3, Array("aeo".utf8).contains(letters[0]) { return }
            letters.removeLast()
        } else if letters.count == r1, endsWithShortSyllable(letters.count) {
            letters.append(UInt8(ascii: "e"))
        }
    }

    /// A final y (or Y) after a non-vowel that is not the first letter becomes i.
    mutating func step1c() {
        guard let last = letters.last, last == UInt8(ascii: "y") || last == Self.consonantY,
              letters.count > 2, !Self.isVowel(letters[letters.count - 2]) else { return }
        letters[letters.count - 1] = UInt8(ascii: "i")
    }

    static let step2Rules: [String: String] = [
        "tional": "tion", "enci": "ence", "anci": "ance", "abli": "able", "entli": "ent", "izer": "ize", "ization": "ize",
        "ational": "ate", "ation": "ate", "ator": "ate", "alism": "al", "aliti": "al", "alli": "al", "fulness": "ful",
        "ousli": "ous", "ousness": "ous", "iveness": "ive", "iviti": "ive", "biliti": "ble", "bli": "ble", "ogi": "og",
        "fulli": "ful", "lessli": "less", "li": "", "ogist": "og",
    ]
    static let step2Suffixes = Array(step2Rules.keys)

    mutating func step2() {
        guard let suffix = longestSuffix(Self.step2Suffixes) else { return }
        let start = letters.count - suffix.utf8.count
        guard start >= r1 else { return }
        switch suffix {
        case "ogi": if start > 0, letters[start - 1] == UInt8(ascii: "l") { replaceSuffix(3, with: "og") }
        case "li": if start > 0, Array("cdeghkmnrt".utf8).contains(letters[start - 1]) { letters.removeLast(2) }
        default: replaceSuffix(suffix.utf8.count, with: Self.step2Rules[suffix] ?? "")
        }
    }

    static let step3Rules: [String: String] = [
        "tional": "tion", "ational": "ate", "alize": "al", "icate": "ic", "iciti": "ic", "ical": "ic",
        "ful": "", "ness": "", "ative": "",
    ]
    static let step3Suffixes = Array(step3Rules.keys)

    mutating func step3() {
        guard let suffix = longestSuffix(Self.step3Suffixes) else { return }
        let start = letters.count - suffix.utf8.count
        guard start >= r1 else { return }
        if suffix == "ative" {
            if start >= r2 { letters.removeLast(5) }
        } else {
            replaceSuffix(suffix.utf8.count, with: Self.step3Rules[suffix] ?? "")
        }
    }

    static let step4Suffixes = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate",
                                "iti", "ous", "ive", "ize", "ion"]

    mutating func step4() {
        guard let suffix = longestSuffix(Self.step4Suffixes) else { return }
        let start = letters.count - suffix.utf8.count
        guard start >= r2 else { return }
        if suffix == "ion" {
            if start > 0, letters[start - 1] == UInt8(ascii: "s") || letters[start - 1] == UInt8(ascii: "t") { letters.removeLast(3) }
        } else {
            letters.removeLast(suffix.utf8.count)
        }
    }

    mutating func step5() {
        guard let last = letters.last else { return }
        let start = letters.count - 1
        if last == UInt8(ascii: "e") {
            if start >= r2 || (start >= r1 && !endsWithShortSyllable(start)) { letters.removeLast() }
        } else if last == UInt8(ascii: "l") {
            if start >= r2, start > 0, letters[start - 1] == UInt8(ascii: "l") { letters.removeLast() }
        }
    }

    mutating func postlude() {
        for index in letters.indices where letters[index] == Self.consonantY { letters[index] = UInt8(ascii: "y") }
    }
}
