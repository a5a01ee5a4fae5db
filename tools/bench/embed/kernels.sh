#!/usr/bin/env bash
# Kernel-level context for the embedding benchmark (not a test): this core's multiply-add peak
# (kernel-peak/main.c), then for each token count one question's 36 bfloat16 products on one
# thread (time and rate) and split over two (question-threads/main.c). Builds both against
# Sources/CKernels with the system C compiler into a temporary directory; prints JSON lines.
# Usage: tools/bench/embed/kernels.sh [ROWS...]   (default: 16 18; 256 gives a chunk's rate)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
"${CC:-clang}" -O2 "$here/kernel-peak/main.c" -o "$build/kernel-peak"
"${CC:-clang}" -O2 -pthread -I"$root/Sources/CKernels/include" "$here/question-threads/main.c" \
  "$root/Sources/CKernels/bfloat16_linear.c" -o "$build/question-threads"
"$build/kernel-peak"
[[ $# -gt 0 ]] || set -- 16 18
for rows in "$@"; do "$build/question-threads" "$rows" "$([[ $rows -gt 64 ]] && echo 10 || echo 300)"; done
