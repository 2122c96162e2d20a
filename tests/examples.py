"""Runs every Python and SQL code block of the READMEs and of a dataset card, in order, as a new user
would copy them: the READMEs' from a folder holding the dataset as `out/`, the card's from the
dataset folder itself. A block that raises fails the check.

Usage: python tests/examples.py DATASET_DIR README.md [README.zh-CN.md …]
"""

import os
import re
import sys
import traceback
from pathlib import Path

# `datasets` reads the local folder; it must not look for the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

try:
    import datasets

    datasets.disable_progress_bars()
except ImportError:  # the blocks that need it fail and say so
    pass

BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def blocks(markdown: str, language: str):
    """(line, code) of each fenced block in `language`."""
    for m in BLOCK.finditer(markdown):
        if m.group(1) == language:
            yield markdown[: m.start()].count("\n") + 1, m.group(2)


def label(path: Path) -> str:
    """The file as a message names it: a card by its folder (every card is a README.md)."""
    return f"{path.parent.name}/{path.name}"


def run_python_blocks(path: Path, cwd: Path) -> list[str]:
    """Runs the file's Python blocks in one namespace (a tutorial's blocks build on each other)."""
    failures = []
    namespace: dict = {}
    here = os.getcwd()
    os.chdir(cwd)
    try:
        for line, code in blocks(path.read_text(encoding="utf-8"), "python"):
            try:
                exec(compile(code, f"{label(path)}:{line}", "exec"), namespace)
            except Exception:
                failures.append(f"{label(path)}:{line}\n{traceback.format_exc(limit=2)}")
    finally:
        os.chdir(here)
    return failures


def run_sql_blocks(path: Path, cwd: Path) -> list[str]:
    """Runs each statement of the file's SQL blocks in DuckDB."""
    import duckdb

    failures = []
    here = os.getcwd()
    os.chdir(cwd)
    try:
        con = duckdb.connect()
        for line, code in blocks(path.read_text(encoding="utf-8"), "sql"):
            for statement in filter(str.strip, code.split(";")):
                try:
                    con.execute(statement).fetchall()
                except Exception as e:
                    failures.append(f"{label(path)}:{line}: {e}")
    finally:
        os.chdir(here)
    return failures


dataset = Path(sys.argv[1]).resolve()
readmes = [Path(p).resolve() for p in sys.argv[2:]]
card = dataset / "README.md"
failures = []
for readme in readmes:
    failures += run_python_blocks(readme, dataset.parent) + run_sql_blocks(readme, dataset.parent)
failures += run_python_blocks(card, dataset) + run_sql_blocks(card, dataset)
for failure in failures:
    print(f"FAIL {failure}")
count = sum(1 for path in [*readmes, card] for lang in ("python", "sql")
            for _ in blocks(path.read_text(encoding="utf-8"), lang))
print(f"examples: {count} blocks, {len(failures)} failed")
sys.exit(1 if failures else 0)
