"""Interoperability check: every output table loads in DuckDB, pandas (pyarrow), polars and Hugging Face
`datasets` (each config of the card) with the documented types and no casting, spans give back tokens
in SQL, and the joins are plain equi-joins.

Usage: python tests/interop.py OUT_DIR
"""

import os
import sys
import tempfile
from pathlib import Path

# `datasets` reads the local folder; it must not look for the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import datasets  # noqa: E402

datasets.disable_progress_bars()
import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

out = Path(sys.argv[1])
failures = []
passed = 0


def check(name, condition, detail=""):
    global passed
    if condition:
        passed += 1
    else:
        failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


con = duckdb.connect()
tables = {name: str(out / f"{name}.parquet") for name in ["documents", "sections", "tokens", "sources"]}

# DuckDB reads every table and sees the documented types.
types = {}
for name, path in tables.items():
    rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    types[name] = {r[0]: r[1] for r in rows}
    count = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    check(f"duckdb reads {name}", count > 0, f"{count} rows")
check("documents.date is DATE", types["documents"]["date"] == "DATE", types["documents"]["date"])
check("documents.keywords is a list", types["documents"]["keywords"] == "VARCHAR[]", types["documents"]["keywords"])
evidence_type = types["documents"]["evidence"]
check("documents.evidence is a list of {field, text}", evidence_type.startswith("STRUCT(field VARCHAR") and evidence_type.endswith("[]"), evidence_type)
titles = con.execute(f"""
    SELECT count(*) FROM read_parquet('{tables['documents']}') d
    WHERE title IS NOT NULL AND list_filter(evidence, lambda e: e.field = 'title')[1].text IS NULL
""").fetchone()[0]
check("every title has its evidence", titles == 0, f"{titles} titles without")
check("tokens.char_start is INTEGER", types["tokens"]["char_start"] == "INTEGER", types["tokens"]["char_start"])

# Spans give back the token with SQL's 1-based substring.
bad = con.execute(f"""
    SELECT count(*) FROM read_parquet('{tables['tokens']}') t
    JOIN read_parquet('{tables['documents']}') d USING (doc_id)
    WHERE substring(d.text, t.char_start + 1, t.char_end - t.char_start) <> t.token
""").fetchone()[0]
check("token spans in DuckDB", bad == 0, f"{bad} tokens do not match their span")

# Every token's (doc_id, section_id) is in sections; every section's doc in documents.
orphans = con.execute(f"""
    SELECT count(*) FROM read_parquet('{tables['tokens']}') t
    LEFT JOIN read_parquet('{tables['sections']}') s USING (doc_id, section_id)
    WHERE s.section_id IS NULL
""").fetchone()[0]
check("tokens join sections", orphans == 0, f"{orphans} orphan tokens")
orphans = con.execute(f"""
    SELECT count(*) FROM read_parquet('{tables['sections']}') s
    LEFT JOIN read_parquet('{tables['documents']}') d USING (doc_id)
    WHERE d.doc_id IS NULL
""").fetchone()[0]
check("sections join documents", orphans == 0, f"{orphans} orphan sections")
mismatch = con.execute(f"""
    SELECT count(*) FROM read_parquet('{tables['documents']}') d
    JOIN (SELECT doc_id, count(*) AS n FROM read_parquet('{tables['tokens']}') GROUP BY doc_id) t USING (doc_id)
    WHERE d.token_count <> t.n
""").fetchone()[0]
check("token_count agrees with tokens", mismatch == 0, f"{mismatch} documents disagree")

# pandas (pyarrow engine) reads every table with the same rows.
for name, path in tables.items():
    frame = pd.read_parquet(path)
    count = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    check(f"pandas reads {name}", len(frame) == count, f"{len(frame)} vs {count}")
documents = pd.read_parquet(tables["documents"])
check("pandas date column", str(documents["date"].dropna().iloc[0])[:2] in ("19", "20"), str(documents["date"].head()))
tokens = pd.read_parquet(tables["tokens"])
sections = pd.read_parquet(tables["sections"])
joined = tokens.merge(sections[["doc_id", "section_id", "level"]], on=["doc_id", "section_id"], how="left")
check("pandas equi-join tokens→sections", joined["level"].notna().all(), "unmatched tokens")
sources = pd.read_parquet(tables["sources"])
check("sources statuses", set(sources["status"]) <= {"kept", "duplicate", "rejected"}, str(set(sources["status"])))
check("pandas: quality_flags is a column, not DataFrame.flags", "quality_flags" in documents.columns, list(documents.columns))

# polars reads every table with the same rows.
for name, path in tables.items():
    frame = pl.read_parquet(path)
    count = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    check(f"polars reads {name}", frame.height == count, f"{frame.height} vs {count}")

# Hugging Face `datasets` loads each config the card declares, with no casting.
with tempfile.TemporaryDirectory() as cache:
    for name, path in tables.items():
        try:
            loaded = datasets.load_dataset(str(out), name, split="train", cache_dir=cache)
            count = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
            check(f"datasets loads {name}", loaded.num_rows == count, f"{loaded.num_rows} vs {count}")
        except Exception as e:  # the message is the check's detail
            check(f"datasets loads {name}", False, f"{type(e).__name__}: {e}")

print(f"interop: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
