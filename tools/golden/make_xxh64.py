#!/usr/bin/env python3
"""Writes Tests/ChecksumsTests/Fixtures/xxh64-golden.json from the reference xxHash C library.

The values come from PyPI's `xxhash` package (bindings to Yann Collet's C implementation), so
our Swift XXH64 is checked against an implementation nobody here wrote.

Run: tools/golden/make_xxh64.sh (creates a throw-away virtual environment with xxhash).
"""
import json
import pathlib
import sys

import xxhash


def sample(length: int) -> bytes:
    """Deterministic bytes of every value, so each code path (stripes, 8-, 4- and 1-byte tails) is hit."""
    return bytes((i * 131 + 7) % 256 for i in range(length))


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    lengths = list(range(0, 70)) + [100, 255, 256, 1000, 4096, 65537]
    cases = []
    for length in lengths:
        for seed in (0, 1, 0x9E3779B185EBCA87):
            data = sample(length)
            cases.append({"length": length, "seed": seed, "hash": xxhash.xxh64_intdigest(data, seed=seed)})
    out.write_text(json.dumps({"generator": f"xxhash {xxhash.VERSION} (C {xxhash.XXHASH_VERSION})",
                               "bytes": "byte i = (i * 131 + 7) mod 256", "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main()
