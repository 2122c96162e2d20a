"""The alternative a researcher would write: Python with jieba (posseg), pandas and pyarrow, doing
the same stages (decode, clean, dedupe by hash, segment with POS, find headings) and writing
documents, sections and tokens tables, on both cores (multiprocessing).

Usage: python bench/python_baseline.py RAW_DIR OUT_DIR
"""

import hashlib
import multiprocessing
import os
import re
import sys

import jieba
import jieba.posseg as pseg
import pandas as pd

NOISE = re.compile(r"^(首页\s*>|来源[:：]|.*阅读次数|.*\.(jpg|png|gif)$|本文系.*原创)")
HEADING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+\.)")


def read(path):
    raw = open(path, "rb").read()
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def clean(text):
    lines = [l.strip(" \t\u3000\r") for l in text.replace("\r\n", "\n").split("\n")]
    lines = [l.replace("##paidbegin##", "").replace("##paidend##", "") for l in lines if l and not NOISE.match(l)]
    return "\n".join(lines)


def segment(item):
    doc_id, text = item
    rows = []
    offset = 0
    position = 0
    for p, paragraph in enumerate(text.split("\n")):
        for word, flag in pseg.cut(paragraph):
            if word.strip():
                rows.append((doc_id, p, position, word, flag, offset, offset + len(word)))
                position += 1
            offset += len(word)
        offset += 1
    return rows


def main():
    raw_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    paths = sorted(os.path.join(d, f) for d, _, files in os.walk(raw_dir) for f in files)
    seen, docs = set(), []
    for path in paths:
        text = read(path)
        if text is None:
            continue
        text = clean(text)
        key = hashlib.sha256(re.sub(r"\s", "", text).encode()).hexdigest()
        if key in seen or not text:
            continue
        seen.add(key)
        docs.append((key[:16], os.path.relpath(path, raw_dir), text))
    jieba.initialize()
    with multiprocessing.Pool(2) as pool:
        token_rows = pool.map(segment, [(d[0], d[2]) for d in docs], chunksize=16)
    tokens = pd.DataFrame(
        [row for rows in token_rows for row in rows],
        columns=["doc_id", "paragraph", "position", "token", "pos", "char_start", "char_end"],
    )
    sections = []
    for doc_id, _, text in docs:
        for p, line in enumerate(text.split("\n")):
            if HEADING.match(line) and len(line) < 80:
                sections.append((doc_id, p, line))
    documents = pd.DataFrame(docs, columns=["doc_id", "source_file", "text"])
    documents["token_count"] = documents["doc_id"].map(tokens.groupby("doc_id").size()).fillna(0).astype(int)
    documents.to_parquet(os.path.join(out_dir, "documents.parquet"))
    pd.DataFrame(sections, columns=["doc_id", "paragraph", "heading"]).to_parquet(os.path.join(out_dir, "sections.parquet"))
    tokens.to_parquet(os.path.join(out_dir, "tokens.parquet"))
    print(f"python-baseline: {len(docs)} documents, {len(tokens)} tokens")


if __name__ == "__main__":
    main()
