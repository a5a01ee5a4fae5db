#!/usr/bin/env bash
# Checks that docs/ARTIFACT.md is a complete specification of the .pidx format: reads artifacts with
# tools/golden/read_artifact.py (a reader written from that page alone, in Python, on the reference
# LZ4 and xxHash C libraries) and with `policy-verify --json`, and fails on any disagreement about
# validity, format version, byte count, SHA-256, the section table, or the chunk, document and
# vector counts. Then it damages copies of the committed fixture (a flipped header byte, a flipped
# byte in each section, the table and the trailer, truncations, an appended byte, a text-mode
# transfer, an unknown major version) and checks that both readers refuse every copy.
#
# Usage: tools/golden/check-spec.sh [MORE.pidx ...]   (the committed fixture is always read)
# The Python packages go into a throw-away virtual environment outside the repository:
# ${POLICYQA_CACHE:-$HOME/.cache/policyqa}/venv-spec.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="${POLICYQA_CACHE:-$HOME/.cache/policyqa}/venv-spec"
fixture="$root/Tests/IndexFormatTests/Fixtures/tiny-v1.2.pidx"
# Earlier releases, still read: 1.0 has no lexicon, 1.1 no token signatures.
previous=("$root/Tests/IndexFormatTests/Fixtures/tiny-v1.0.pidx" "$root/Tests/IndexFormatTests/Fixtures/tiny-v1.1.pidx")
reader="$root/tools/golden/read_artifact.py"

if ! [ -x "$venv/bin/python" ]; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import lz4.block, xxhash, numpy' 2>/dev/null; then
    "$venv/bin/pip" install --quiet lz4==4.4.5 xxhash==4.1.0 numpy==2.4.6
fi

verify="$root/.build/debug/policy-verify"
if ! [ -x "$verify" ]; then
    echo "building policy-verify (not found at .build/debug/policy-verify)" >&2
    (cd "$root" && swift build --product policy-verify >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check-spec.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$venv/bin/python" - "$verify" "$reader" "$work" "$fixture" "${previous[@]}" "$@" <<'PY'
import json
import os
import shutil
import struct
import subprocess
import sys

verify, reader, work, fixture = sys.argv[1:5]
extra = sys.argv[5:]
passed, failed = 0, 0


def run_both(path):
    a = subprocess.run([verify, path, "--json"], capture_output=True, text=True)
    b = subprocess.run([sys.executable, reader, path], capture_output=True, text=True)
    try:
        pv = json.loads(a.stdout)
    except ValueError:
        pv = None
    try:
        mine = json.loads(b.stdout)
    except ValueError:
        mine = None
    return a.returncode, pv, b.returncode, mine, (a.stderr + b.stderr).strip()


def report(name, errors):
    global passed, failed
    if errors:
        failed += 1
        print("FAIL %s" % name)
        for e in errors:
            print("     %s" % e)
    else:
        passed += 1
        print("ok   %s" % name)


def compare(name, path, expect_valid=None):
    pv_rc, pv, my_rc, mine, stderr = run_both(path)
    errors = []
    if pv is None:
        errors.append("policy-verify printed no JSON (exit %d) %s" % (pv_rc, stderr[:300]))
    if mine is None:
        errors.append("read_artifact.py printed no JSON (exit %d) %s" % (my_rc, stderr[:300]))
    if errors:
        return report(name, errors)
    pv_valid, my_valid = pv.get("valid") is True, not mine["problems"]
    if pv_valid != (pv_rc == 0):
        errors.append("policy-verify says valid=%s but exits %d" % (pv_valid, pv_rc))
    if my_valid != (my_rc == 0):
        errors.append("read_artifact.py lists %d problems but exits %d" % (len(mine["problems"]), my_rc))
    if pv_valid != my_valid:
        errors.append("validity differs: policy-verify %s, read_artifact.py %s" %
                      ("valid" if pv_valid else "invalid", "valid" if my_valid else "invalid"))
    if expect_valid is not None and my_valid != expect_valid:
        errors.append("expected the file to be %s" % ("valid" if expect_valid else "refused"))
    if not (pv_valid and my_valid):
        if errors:
            errors.append("policy-verify: %s" % [p.get("message") for p in pv.get("problems", [])][:4])
            errors.append("read_artifact.py: %s" % mine["problems"][:4])
        return report(name, errors)
    # Both accept the file: every fact both print must be the same.
    fields = ("kind", "codec", "byte_offset", "stored_byte_count", "raw_byte_count")
    pv_sections = [{k: s[k] for k in fields} for s in pv["sections"]]
    my_sections = [{k: s[k] for k in fields} for s in mine["sections"]]
    if pv_sections != my_sections:
        errors.append("sections differ:\n       policy-verify    %s\n       read_artifact.py %s" % (pv_sections, my_sections))
    manifest = mine["manifest"] or {}
    model = manifest.get("model", {})
    pairs = [("format_version", pv.get("format_version"), mine["format_version"]),
             ("byte_count", pv.get("byte_count"), mine["byte_count"]),
             ("byte_count vs file size", os.path.getsize(path), mine["byte_count"]),
             ("sha256", pv.get("sha256"), mine["sha256"]),
             ("chunk_count", pv.get("chunk_count"), len(mine["chunks"])),
             ("document_count", pv.get("document_count"), len(mine["documents"] or [])),
             ("vector rows", pv.get("chunk_count"), len(mine["vectors"])),
             ("dimension", pv.get("dimension"), model.get("dimension")),
             ("model_name", pv.get("model_name"), model.get("name")),
             ("model_fingerprint", pv.get("model_fingerprint"), model.get("fingerprint"))]
    for field, a, b in pairs:
        if a != b:
            errors.append("%s differs: policy-verify %r, read_artifact.py %r" % (field, a, b))
    if any(len(row) != model.get("dimension") for row in mine["vectors"]):
        errors.append("a vector row does not have model.dimension values")
    report(name, errors)
    return mine


# 1. The fixture and the given files: both readers must agree on everything.
base = compare("fixture %s" % os.path.basename(fixture), fixture, expect_valid=True)
for path in extra:
    compare(path, path)

# 2. Damaged copies of the fixture: both readers must refuse each one.
data = open(fixture, "rb").read()
damages = []


def flip(name, offset, mask=0x01):
    d = bytearray(data)
    d[offset] ^= mask
    damages.append((name, bytes(d)))


flip("header: flipped byte 20 (file_byte_count)", 20)
flip("header: flipped byte 49 (reserved, covered by the header checksum)", 49)
flip("header: flipped byte 57 (header_checksum)", 57)
flip("header: flipped byte 33 (section_count)", 33)
damages.append(("header: major version 2 (checksum fixed)",
                None))  # built below, needs xxhash
flip("section table: flipped byte 64 + 20 (entry 0 stored_byte_count)", 64 + 20)
if base:
    for s in base["sections"]:
        flip("section %s: flipped its first byte" % s["kind"], s["byte_offset"])
        flip("section %s: flipped its middle byte" % s["kind"], s["byte_offset"] + s["stored_byte_count"] // 2, 0x80)
        flip("section %s: flipped its last byte" % s["kind"], s["byte_offset"] + s["stored_byte_count"] - 1)
    # a padding byte between two sections: only the trailer's SHA-256 covers it
    first = base["sections"][0]
    end = first["byte_offset"] + first["stored_byte_count"]
    if end % 64:
        flip("padding after the %s section: flipped byte %d" % (first["kind"], end), end)
flip("trailer: flipped magic", len(data) - 40)
flip("trailer: flipped digest", len(data) - 1)
damages.append(("truncated: last byte cut", data[:-1]))
damages.append(("truncated: trailer cut", data[:-40]))
damages.append(("truncated: half the file", data[:len(data) // 2]))
damages.append(("truncated: header only", data[:64]))
damages.append(("truncated: 10 bytes", data[:10]))
damages.append(("truncated: empty file", b""))
damages.append(("appended: one byte", data + b"\0"))
damages.append(("text-mode transfer: \\r\\n became \\n", data[:5] + b"\n" + data[7:]))

import xxhash  # noqa: E402  (in the virtual environment)
d = bytearray(data)
struct.pack_into("<H", d, 8, 2)
struct.pack_into("<Q", d, 56, xxhash.xxh64_intdigest(bytes(d[:56])))
damages = [(n, bytes(d) if b is None else b) for n, b in damages]

for i, (name, damaged) in enumerate(damages):
    path = os.path.join(work, "damaged-%02d.pidx" % i)
    with open(path, "wb") as f:
        f.write(damaged)
    pv_rc, pv, my_rc, mine, stderr = run_both(path)
    errors = []
    if pv_rc == 0 or (pv is not None and pv.get("valid") is not False):
        errors.append("policy-verify accepted it (exit %d)" % pv_rc)
    if my_rc == 0 or mine is None or not mine["problems"]:
        errors.append("read_artifact.py accepted it (exit %d) %s" % (my_rc, stderr[:300]))
    if my_rc not in (0, 1):
        errors.append("read_artifact.py crashed (exit %d): %s" % (my_rc, stderr[-500:]))
    report("refused by both: %s" % name, errors)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
