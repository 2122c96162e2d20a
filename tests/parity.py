"""Segmentation parity: with the domain dictionary off, the tokens of every paragraph equal Python
jieba 0.42.1's `jieba.lcut(paragraph, HMM=True)` with white space dropped.

Usage: python tests/parity.py OUT_DIR   (OUT_DIR made with --set segment.domain_dictionary=false --set segment.simplified_view=false)
"""

import sys

import jieba
import pandas as pd

jieba.setLogLevel(60)
out = sys.argv[1]
documents = pd.read_parquet(f"{out}/documents.parquet")
tokens = pd.read_parquet(f"{out}/tokens.parquet")
by_paragraph = {key: list(group["token"]) for key, group in tokens.groupby(["doc_id", "paragraph"], sort=False)}

total = differ = 0
for _, doc in documents.iterrows():
    for p, line in enumerate(doc["text"].split("\n")):
        total += 1
        expected = [w for w in jieba.lcut(line, HMM=True) if w.strip()]
        got = by_paragraph.get((doc["doc_id"], p), [])
        if expected != got:
            differ += 1
            at = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
            print(f"FAIL {doc['source_file']} paragraph {p}: python {expected[at:at + 6]} vs pipeline {got[at:at + 6]}")

print(f"parity: {total - differ} passed, {differ} failed (paragraphs equal to Python jieba {jieba.__version__})")
sys.exit(1 if differ or total == 0 else 0)
