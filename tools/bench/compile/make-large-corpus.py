#!/usr/bin/env python3
"""Writes a corpus N times the size of policies/ by varying the real one.

Copy k of each document gets its own title (so titles stay unique), a regional prefix on every
heading, and its numbers shifted, so its chunk texts differ from every other copy's and the
embedding cache cannot serve one copy for another. Structure (headings, lists, tables) is kept.

Usage: make-large-corpus.py SOURCE_FOLDER DEST_FOLDER FACTOR
"""
import pathlib
import re
import shutil
import sys

REGIONS = ["Northern", "Southern", "Eastern", "Western", "Central", "Coastal", "Highland", "Pacific", "Atlantic",
           "Lakeside", "Valley", "Harbor", "Summit", "Prairie", "Desert", "Forest", "River", "Island", "Metro", "Rural"]


def vary(text: str, copy: int) -> str:
    region = REGIONS[copy % len(REGIONS)] + (f" {copy // len(REGIONS) + 1}" if copy >= len(REGIONS) else "")
    text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)} ({region} Region)", text, count=1, flags=re.M)
    text = re.sub(r"^(#{1,4}) (.*)$", lambda m: f"{m.group(1)} {m.group(2)}" + (f" ({region} Region)" if len(m.group(1)) == 1 else f" — {region}"),
                  text, flags=re.M)
    text = re.sub(r"<title>(.*?)</title>", lambda m: f"<title>{m.group(1)} ({region} Region)</title>", text)
    text = re.sub(r"<h1>(.*?)</h1>", lambda m: f"<h1>{m.group(1)} ({region} Region)</h1>", text)
    # Plain-text titles: the line above a row of '=' (the underline must keep its length).
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i] and set(lines[i]) == {"="} and lines[i - 1].strip():
            lines[i - 1] = f"{lines[i - 1]} ({region} Region)"
            lines[i] = "=" * len(lines[i - 1])
    text = "\n".join(lines)
    return re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + copy), text) if copy else text


def main() -> None:
    source, destination, factor = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
    if destination.exists():
        shutil.rmtree(destination)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        for copy in range(factor):
            target = destination / f"copy{copy:02d}" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(vary(text, copy), encoding="utf-8")


if __name__ == "__main__":
    main()
