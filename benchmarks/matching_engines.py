"""Lexical engines compared on the development sets: quality (nDCG@10, recall@10) and speed.

    .venv/bin/python benchmarks/matching_engines.py [--data /work/shared/data/eval] [--sets problem,keywords,field]

Every engine gets the same pre-segmented text (``matching.engine.text.analyze``: NFKC, traditional→simplified,
jieba search mode, stop words) and the same query tokens (``analyze_query``):

* ``tantivy-fields``  — the platform's ``LexicalIndex`` as the services feed it: title, keywords, body as separate
  BM25 fields, boosts 3/2/1;
* ``tantivy-combined`` — the same ``LexicalIndex`` with one field holding title twice + keywords + abstract
  (the layout of ``techtransfer eval retrieval``);
* ``fts5-combined``   — SQLite FTS5 (Python's sqlite3), the same combined text, ``bm25()`` ranking, OR query;
* ``bm25s-combined``  — bm25s (reference, not a platform dependency: ``pip install bm25s``), same text.

Index time includes text analysis; query time includes query analysis. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from techtransfer.matching import evaluation as ev
from techtransfer.matching.engine import text as textmod
from techtransfer.matching.engine.lexical import LexicalIndex


def combined(doc: dict) -> str:
    return "\n".join(p for p in (doc["title"], doc["title"], " ".join(doc["keywords"]), doc["abstract"]) if p)


class TantivyFields:
    name = "tantivy-fields"

    def build(self, docs):
        self.ix = LexicalIndex(None)
        self.ix.add({"id": d["id"], "kind": "doc", "title": d["title"], "keywords": d["keywords"],
                     "body": d["abstract"]} for d in docs)
        self.ix.commit()

    def search(self, query, limit):
        return [i for i, _ in self.ix.search(query, limit=limit)[1]]

    def close(self):
        self.ix.close()


class TantivyCombined(TantivyFields):
    name = "tantivy-combined"

    def build(self, docs):
        self.ix = LexicalIndex(None)
        self.ix.add(ev.lexical_document(d) for d in docs)
        self.ix.commit()


class Fts5Combined:
    name = "fts5-combined"

    def build(self, docs):
        self.tmp = tempfile.TemporaryDirectory(prefix="tt-fts5-")
        self.db = sqlite3.connect(Path(self.tmp.name) / "fts.sqlite3")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, body, "
                        "tokenize = 'unicode61 remove_diacritics 0')")
        with self.db:
            self.db.executemany("INSERT INTO docs (doc_id, body) VALUES (?, ?)",
                                ((d["id"], " ".join(textmod.analyze(combined(d)))) for d in docs))

    def search(self, query, limit):
        tokens = textmod.analyze_query(query)[:64]
        if not tokens:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = self.db.execute("SELECT doc_id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                               (match, limit))
        return [r[0] for r in rows]

    def close(self):
        self.db.close()
        self.tmp.cleanup()


class Bm25sCombined:
    name = "bm25s-combined"

    def build(self, docs):
        import bm25s

        self.ids = [d["id"] for d in docs]
        self.model = bm25s.BM25()
        self.model.index([textmod.analyze(combined(d)) for d in docs], show_progress=False)

    def search(self, query, limit):
        tokens = [t for t in textmod.analyze_query(query) if t in self.model.vocab_dict]
        if not tokens:
            return []
        res, _scores = self.model.retrieve([tokens], k=min(limit, len(self.ids)), show_progress=False)
        return [self.ids[i] for i in res[0]]

    def close(self):
        pass


def run(engine, corpus, queries, qrels):
    started = time.perf_counter()
    engine.build(corpus)
    build = time.perf_counter() - started
    judged = [q for q in queries if q["id"] in qrels]
    nd = r10 = 0.0
    lat = []
    for q in judged:
        t0 = time.perf_counter()
        ranked = engine.search(q["text"], 100)
        lat.append((time.perf_counter() - t0) * 1000)
        nd += ev.ndcg_at_k(ranked, qrels[q["id"]], 10)
        r10 += ev.recall_at_k(ranked, qrels[q["id"]], 10)
    engine.close()
    n = len(judged)
    return {"ndcg": nd / n, "r10": r10 / n, "docs_s": len(corpus) / build, "p50": ev.percentile(lat, 50),
            "p95": ev.percentile(lat, 95)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/work/shared/data/eval")
    parser.add_argument("--sets", default="problem,keywords,field")
    parser.add_argument("--engines", default="tantivy-fields,tantivy-combined,fts5-combined,bm25s-combined")
    args = parser.parse_args()
    engines = {e.name: e for e in (TantivyFields, TantivyCombined, Fts5Combined, Bm25sCombined)}
    textmod.analyze("预热")  # load the dictionary before timing
    print("| engine | set | nDCG@10 | recall@10 | build docs/s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for name in args.engines.split(","):
        for s in args.sets.split(","):
            base = Path(args.data) / s
            corpus = ev.load_corpus(base / "corpus.jsonl")
            queries = ev.load_queries(base / "queries.jsonl")
            qrels = ev.load_qrels(base / "qrels.tsv")
            try:
                r = run(engines[name](), corpus, queries, qrels)
            except ImportError as exc:
                print(f"skipping {name}: {exc}", file=sys.stderr)
                break
            print(f"| {name} | {s} | {r['ndcg']:.3f} | {r['r10']:.3f} | {r['docs_s']:,.0f} | {r['p50']:.2f} | "
                  f"{r['p95']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
