"""Benchmark: generate a corpus, run the pipeline stage by stage and whole, the speed limit (bare
jieba-rs on all cores) and the Python alternative, and print wall time, MB/s of raw input,
documents/s and peak memory for each, with the ratios.

Usage: python bench/bench.py [--mb 100] [--seed 1] [--skip-python] [--work DIR]
Run from the repository root after `cargo build --release` (bench/run.sh does both).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

target = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "release"


def timed(command, cwd=None):
    """Runs a command under GNU time; returns (wall seconds, peak RSS in MiB, stdout + stderr)."""
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{result.stderr[-2000:]}")
    err = result.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return seconds, peak, result.stdout + err


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-python", action="store_true")
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="pipeline-bench-"))
    raw = work / "raw"
    if not raw.exists():
        subprocess.run([target / "generate-corpus", "--mb", str(args.mb), "--seed", str(args.seed),
                        "--out", raw], check=True)
    raw_mb = sum(f.stat().st_size for f in raw.rglob("*") if f.is_file()) / 1e6
    files = sum(1 for f in raw.rglob("*") if f.is_file())
    pipeline = target / "pipeline"
    env_out = ["--raw", str(raw), "--out", str(work / "out"), "--quiet"]

    rows = []
    # The whole run, from nothing: the median of three, after the generated corpus is on disk
    # (one run alone swings by up to 10% on a busy machine).
    os.sync()
    runs = []
    for _ in range(3):
        subprocess.run(["rm", "-rf", work / "out"], check=True)
        runs.append(timed([pipeline, "run", *env_out]))
    whole = sorted(runs, key=lambda r: r[0])[1]
    # Each stage alone, from its predecessor's output.
    for stage in ["clean", "dedupe", "segment", "tag", "sectionize"]:
        rows.append((f"stage {stage}", *timed([pipeline, stage, *env_out])[:2]))
    rows.append(("pipeline run (median of 3)", *whole[:2]))

    # The limit: the median of three, by its own timing (which leaves out reading the texts).
    def limit_run():
        run = timed([target / "jieba-baseline", work / "out/documents.parquet"])
        line = next(l for l in run[2].splitlines() if l.startswith("jieba-baseline"))
        return float(re.search(r"in ([\d.]+) s", line).group(1)), run[1], line
    limit_seconds, limit_peak, limit_line = sorted(limit_run() for _ in range(3))[1]
    documents = int(re.search(r"(\d+) documents", limit_line).group(1))
    rows.append(("limit: bare jieba-rs tagging", limit_seconds, limit_peak))

    python = None
    if not args.skip_python:
        venv_python = os.environ.get("PIPELINE_PYTHON", sys.executable)
        python = timed([venv_python, "bench/python_baseline.py", raw, work / "py-out"])
        rows.append(("alternative: Python jieba + pandas", *python[:2]))

    print(f"\ncorpus: {files} files, {raw_mb:.1f} MB raw, {documents} documents after dedupe "
          f"(generate-corpus --mb {args.mb} --seed {args.seed}); {os.cpu_count()} cores")
    print(f"{'':34} {'wall s':>8} {'MB/s raw':>9} {'docs/s':>9} {'peak MiB':>9}")
    for name, seconds, peak in rows:
        print(f"{name:34} {seconds:8.2f} {raw_mb / seconds:9.2f} {documents / seconds:9.1f} {peak:9.0f}")
    print(f"\n{limit_line}")
    print(f"pipeline vs limit: {limit_seconds / whole[0]:.0%} of the limit's speed (target: at least 70%)")
    if python:
        print(f"pipeline vs Python: {python[0] / whole[0]:.1f} times faster (target: at least 30)")
    print(f"peak memory of the whole run: {whole[1]:.0f} MiB for {raw_mb:.0f} MB of raw text")
    summary = {"raw_mb": raw_mb, "files": files, "documents": documents,
               "rows": [{"name": n, "seconds": s, "peak_mib": p} for n, s, p in rows]}
    (work / "bench.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
