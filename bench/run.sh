#!/usr/bin/env bash
# Builds the release binaries, prepares Python (jieba, pandas, pyarrow) and runs the benchmark.
# Usage: bash bench/run.sh [--mb 100] [--seed 1] [--skip-python]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pipeline/target}"
venv="${PIPELINE_VENV:-.venv}"
cargo build --release --locked
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
PIPELINE_PYTHON="$venv/bin/python" "$venv/bin/python" bench/bench.py "$@"
