#!/usr/bin/env bash
# Regenerates the XXH64 golden values with the reference C implementation (PyPI `xxhash`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="${POLICYQA_CACHE:-$HOME/.cache/policyqa}/venv-golden"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet xxhash==3.5.0
mkdir -p "$root/Tests/ChecksumsTests/Fixtures"
"$venv/bin/python" "$root/tools/golden/make_xxh64.py" "$root/Tests/ChecksumsTests/Fixtures/xxh64-golden.json"
echo "wrote Tests/ChecksumsTests/Fixtures/xxh64-golden.json"
