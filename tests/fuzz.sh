#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (seconds per target: $1, default 20). Installs
# cargo-fuzz if missing. The stable toolchain accepts the fuzzer's flags with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-20}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/pipeline/fuzz-target}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build -s none --release
for target in clean sectionize tag; do
  mkdir -p "corpus/$target"
  # Seed the corpus with the sample texts.
  cp ../raw/*.txt "corpus/$target/" 2>/dev/null || true
  cargo fuzz run -s none --release "$target" -- -max_total_time="$seconds" -max_len=20000 \
    -print_final_stats=1 2>&1 | tail -n 3
done
echo "fuzz: 3 passed, 0 failed"
