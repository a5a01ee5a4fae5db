#!/usr/bin/env python3
"""Writes tools/bench/serve/questions.txt: a few thousand distinct questions, one a line, made
deterministically from the gold questions in Tests/Eval/*.jsonl by framing each with an opener, a
context clause and a closer (and sometimes a change of case or punctuation), so that every request of
a benchmark run carries a different question and no embedding cache helps anyone.

Usage: tools/bench/serve/make_questions.py [COUNT]     (default 4000; standard library only)
The file is committed; rerunning this script gives the same bytes.
"""
import glob
import json
import os
import random
import sys

OPENERS = [
    "", "", "", "quick question: ", "hi, ", "hey, ", "sorry if this is obvious, but ", "per the handbook, ",
    "according to policy, ", "can you tell me ", "i need to know ", "my manager asked me: ", "HR question: ",
    "question from a new hire: ", "for a teammate: ", "asking for a colleague, ", "just checking, ",
]
CONTEXTS = [
    "", "", "", "", " (I'm in the US office)", " (based in the UK)", " for someone in Germany",
    " as a contractor", " as a part-time employee", " for a new starter", " while working remotely",
    " this quarter", " next month", " for my team", " in the Singapore office", " as a people manager",
    " during my probation", " if I'm on a fixed-term contract",
]
CLOSERS = ["", "", "", "?", " thanks", " thanks!", " - urgent", " pls", " (asking before I book)", " any link?"]


def gold_questions(root):
    questions = []
    for path in sorted(glob.glob(os.path.join(root, "Tests", "Eval", "*.jsonl"))):
        with open(path, encoding="utf-8") as lines:
            questions += [json.loads(line)["question"] for line in lines if line.strip()]
    return questions


def variations(questions, count, seed=20240611):
    rng = random.Random(seed)
    seen, out = set(), []
    attempts = 0
    while len(out) < count:
        attempts += 1
        if attempts > count * 50:
            raise SystemExit("make_questions.py: cannot make %d distinct questions" % count)
        base = questions[len(out) % len(questions)].strip().rstrip("?")
        text = rng.choice(OPENERS) + base + rng.choice(CONTEXTS) + rng.choice(CLOSERS)
        style = rng.random()
        if style < 0.1:
            text = text.lower()
        elif style < 0.15:
            text = text[0].upper() + text[1:]
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", ".."))
    questions = variations(gold_questions(root), count)
    with open(os.path.join(here, "questions.txt"), "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(questions) + "\n")
    print("make_questions.py: %d questions from %d gold questions" % (len(questions), len(gold_questions(root))), file=sys.stderr)


if __name__ == "__main__":
    main()
