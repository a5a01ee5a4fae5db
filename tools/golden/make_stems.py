#!/usr/bin/env python3
"""Golden word -> stem pairs for Sources/Retrieval/EnglishStemmer.swift.

Reference: the Snowball project's own Python stemmer (PyPI `snowballstemmer`, English). No PyPI
package carries Snowball's published English vocabulary and output lists, so the words come from
a large list instead: every lower-case ASCII word of Debian's `wamerican` dictionary
(/usr/share/dict/american-english), every word of the handbook in policies/, and every word of the
Cranfield collection when ../shared/data/cranfield is present. Writes
Tests/RetrievalTests/Fixtures/snowball-english.tsv (word TAB stem, sorted, with the stemmer's
version in a comment line).

Run with tools/golden/make-stems.sh (makes the virtual environment).
"""
import importlib.metadata
import os
import re
import sys

import snowballstemmer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORD = re.compile(r"^[a-z']+$")


def words_of_text(text):
    return {w.strip("'") for w in re.findall(r"[a-z']+", text.lower()) if len(w.strip("'")) > 0}


def main():
    words = set()
    with open("/usr/share/dict/american-english", encoding="utf-8") as handle:
        words |= {line.strip() for line in handle if WORD.match(line.strip())}
    for folder, _, files in os.walk(os.path.join(ROOT, "policies")):
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                words |= words_of_text(handle.read())
    cranfield = os.path.join(ROOT, "..", "shared", "data", "cranfield")
    for name in ("cran.all.1400", "cran.qry"):
        path = os.path.join(cranfield, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                words |= words_of_text(handle.read())
    stemmer = snowballstemmer.stemmer("english")
    output = os.path.join(ROOT, "Tests", "RetrievalTests", "Fixtures", "snowball-english.tsv")
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(f"# snowballstemmer {importlib.metadata.version('snowballstemmer')} english; tools/golden/make_stems.py\n")
        for word in sorted(w for w in words if w):
            handle.write(f"{word}\t{stemmer.stemWord(word)}\n")
    print(f"make_stems: {len(words)} words -> {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
