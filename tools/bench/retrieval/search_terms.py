"""A Python port of Sources/Retrieval/SearchTokenizer.swift, written from its documentation, for
the reference BM25 runs (same tokenisation on both sides). Stems with the Snowball project's own
English stemmer (PyPI snowballstemmer). Agreement with the Swift tokenizer is measured, not
assumed: cranfield.py compares this port's chunk lengths with the artifact's lexicon."""
import re
import unicodedata

import snowballstemmer

STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of", "on", "or",
    "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    "i", "me", "my", "we", "our", "you", "your", "do", "does", "what", "how", "which",
}
_STEMMER = snowballstemmer.stemmer("english")
_SPECIAL = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t"}


def fold(text):
    out = []
    for ch in text.lower().replace("\u2019", "'").replace("\u2018", "'"):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(base if base.isascii() and base else ch)
    return "".join(out)


def is_word(ch):
    return ch.isalpha() or ch.isdecimal()


def words(text):
    s = fold(text)
    i, n, result = 0, len(s), []
    while i < n:
        if not is_word(s[i]):
            i += 1
            continue
        word, j, splits = [], i, []
        while j < n:
            ch = s[j]
            if is_word(ch):
                word.append(ch)
                j += 1
                continue
            prev = s[j - 1] if j > 0 else ""
            nxt = s[j + 1] if j + 1 < n else ""
            if not nxt or not is_word(nxt):
                break
            if ch == "'" and prev.isalpha() and nxt.isalpha():
                word.append(ch)
            elif ch in ",." and prev.isdecimal() and nxt.isdecimal():
                if ch == ".":
                    word.append(ch)
            elif ch in "-/" and (prev.isdecimal() or nxt.isdecimal()):
                splits.append(len(word))
            elif ch == "(" and prev.isdecimal():
                m = re.match(r"\(([^\W_]{1,2})\)", s[j:])
                if not m:
                    break
                word.append(m.group(1))
                j += len(m.group(0))
                break
            else:
                break
            j += 1
        token = "".join(word).strip("'")
        if token:
            result.append(token)
        if splits:  # the parts between hyphen or slash joiners, as words of their own
            for start, end in zip([0] + splits, splits + [len(word)]):
                part = "".join(word[start:end]).strip("'")
                if part:
                    result.append(part)
        i = j if j > i else i + 1
    return result


def terms(text):
    out = []
    for word in words(text):
        if word in STOPWORDS:
            continue
        if any(c.isdigit() for c in word) or not re.fullmatch(r"[a-z']+", word):
            out.append(word)
        else:
            out.append(_STEMMER.stemWord(word))
    return out
