"""`pipeline evaluate --json` agrees with the reference scorer (tests/scorer/score.py, an independent
Python implementation of the same gold format, reading the tables with DuckDB) within 0.02 on every
figure, and on the lists of problems.

usage: scorer_agrees.py PIPELINE OUT_DIR GOLD_JSON
"""
import json
import os
import subprocess
import sys

pipeline, out, gold = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
ref = json.loads(subprocess.run(
    [sys.executable, os.path.join(here, "scorer", "score.py"), out, gold, "--json"],
    check=True, capture_output=True, text=True).stdout)
ours = json.loads(subprocess.run(
    [pipeline, "evaluate", gold, "--json", "--out", out],
    check=True, capture_output=True, text=True).stdout)

h = ref["headings"]
pairs = {
    "field_accuracy": (ref["field_accuracy"], ours["field_accuracy"]),
    "heading_precision": (ref["heading_precision"], ours["heading_precision"]),
    "heading_recall": (ref["heading_recall"], ours["heading_recall"]),
    "level_errors": (h["level_errors"], ours["level_errors"]),
    "inline_matched": (h["inline_tp"], ours["headings"]["inline_matched"]),
    "matched": (h["tp"], ours["headings"]["matched"]),
    "extra": (h["fp"], ours["headings"]["extra"]),
    "documents_found": (ref["docs_found"], ours["documents_found"]),
    "noise_leaks": (len(ref["noise_leaks"]), len(ours["noise_leaks"])),
    "doc_count_errors": (len(ref["doc_count_errors"]), len(ours["doc_count_errors"])),
    "missing_documents": (len(ref["missing_docs"]), len(ours["missing_documents"])),
    "field mismatches": (len(ref.get("field_errors", [])),
                         sum(" heading " not in m for m in ours["mismatches"])),
    "heading mismatches": (len(ref.get("heading_errors", [])),
                           sum(" heading " in m for m in ours["mismatches"])),
}
for field, (right, total) in ref["fields"].items():
    pairs[f"fields.{field}"] = (round(right / max(1, total), 3), ours["fields"][field]["accuracy"])

failed = []
for name, (want, got) in pairs.items():
    # Shares may differ by rounding (0.02 at most); counts must be equal.
    ok = abs(want - got) <= 0.02 if isinstance(want, float) else want == got
    print(f"{'ok ' if ok else 'BAD'} {name}: reference {want}, evaluate {got}")
    if not ok:
        failed.append(name)
if failed:
    sys.exit(f"evaluate disagrees with the reference scorer on {out}: {', '.join(failed)}")
print(f"agreement: {len(pairs)} passed, 0 failed")
