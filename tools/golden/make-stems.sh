#!/usr/bin/env bash
# Makes Tests/RetrievalTests/Fixtures/snowball-english.tsv with the Snowball project's Python
# stemmer, in a throw-away virtual environment outside the repository. Needs wamerican (apt).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="$HOME/.cache/policyqa/venv-lexical"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "snowballstemmer==3.1.1" "rank-bm25" "bm25s" numpy
[ -f /usr/share/dict/american-english ] || apt-get install -y -q wamerican
"$venv/bin/python" tools/golden/make_stems.py
