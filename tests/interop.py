"""Interoperability check: every output table loads in DuckDB and pandas (pyarrow) with the documented
types, spans give back tokens in SQL, and the joins are plain equi-joins.

Usage: python tests/interop.py OUT_DIR
"""

import sys
from pathlib import Path

import duckdb
import pandas as pd

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
check("documents.evidence is a map", types["documents"]["evidence"].startswith("MAP"), types["documents"]["evidence"])
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

print(f"interop: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
