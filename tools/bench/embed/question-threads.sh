#!/usr/bin/env bash
# Whether one question's matrix products gain from a second thread (the daemon runs one question
# per core, so this is context, not a mode it uses). Builds question-threads/main.c against
# Sources/CKernels with the system C compiler into a temporary directory and prints one JSON line
# per token count. Usage: tools/bench/embed/question-threads.sh [ROWS...]   (default: 16 18)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
"${CC:-clang}" -O2 -pthread -I"$root/Sources/CKernels/include" "$here/question-threads/main.c" \
  "$root/Sources/CKernels/bfloat16_linear.c" -o "$build/question-threads"
[[ $# -gt 0 ]] || set -- 16 18
for rows in "$@"; do "$build/question-threads" "$rows"; done
