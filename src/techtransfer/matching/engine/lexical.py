"""Lexical (BM25) index of the matching engine — a Tantivy index over pre-segmented text.

Interface (used by ``matching.services`` and by the evaluation harness and benchmarks):

``LexicalIndex(path: Path | None)``
    Opens (or creates) the index in the folder ``path``; ``None`` uses a temporary folder deleted with the
    object. A folder holding a corrupt or incompatible index is cleared and recreated empty; ``recreated`` is then
    True so that the caller can rebuild it from its source of truth.
``add(docs: Iterable[dict], analyzed=None) -> int``
    Adds or replaces documents (a document with an existing ``id`` replaces it; commit to make it visible).
    Keys: ``id`` (str, unique, e.g. ``"achievement:12"``), ``kind``, ``title``, ``keywords`` (list of str),
    ``body`` (str); optional filter fields: ``field`` (technical-field code or list of codes), ``region``
    (6-digit GB/T 2260 code), ``trl`` (int 1–9), ``modes`` (list of str), ``price_band``, ``status``,
    ``org_kind`` (str each); access fields: ``public`` (bool, default True) and ``owner`` (owning organization id).
    Text is analysed with ``engine.text.analyze`` here (``analyze_document``); callers pass raw text, or give
    ``analyzed`` (each document's ``analyze_document``, e.g. computed in other processes). ``threads``: indexing
    threads of the writer for large writes (``heap_size`` is shared between them).
``delete(ids: Iterable[str]) -> None``; ``commit() -> None`` (make additions/deletions visible);
``clear() -> None`` (delete everything, on commit).
``search(query: str, filters: dict | None = None, limit=10, offset=0) -> (total, [(id, score), …])``
    BM25 over one combined field (title twice, keywords, body), summed over query tokens; filters are
    applied inside the engine query (not on a short list). An empty query with filters lists the filtered
    documents (score 1.0). Filter keys: ``kind`` (str or list), ``field`` (code prefix), ``region`` (a 6-digit
    code: a province code keeps its whole province, a city code its city, a county code itself; or a 2/4/6-digit
    prefix), ``trl_min``, ``trl_max``, ``modes``/``transfer_mode`` (str or list, any of), ``price_band``,
    ``status``, ``org_kind`` (str or list each), ``exclude`` (ids to leave out), ``ids`` (only these ids),
    ``visible_to`` (``{"orgs": [ids], "regions": [codes]}``: public documents, or owned by one of the
    organizations, or inside one of the regions — a user's read scope). Unknown keys raise ValueError.
``facets(query, filters=None, fields=("kind", …), size=20) -> {field: {value: count}}``
    Counts of the matching documents per value of each facet field (computed by the engine's aggregation).
``count() -> int``; ``version() -> tuple`` (changes with every commit, for result caches); ``close() -> None``.

Concurrency: one writer at a time across processes (an ``fcntl`` lock file beside the index, held while a
writer is open); readers reload when another process committed (``meta.json`` changed), before each search.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import tantivy

from . import text as textmod

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
# Scored on one combined field: per-field BM25 summed with boosts (title 3, keywords 2, body 1) over-rewards a
# frequent word in a short or empty title/keyword field; on the development sets the combined field ranks far
# better (nDCG@10 problem 0.880 vs 0.658, field 0.532 vs 0.456; docs/matching-evaluation.md).
BOOSTS = {"all": 1.0}
FACET_FIELDS = ("kind", "field_code", "region_city", "trl", "modes", "price_band", "status", "org_kind")
_RAW_MULTI = ("kind", "field", "region", "modes", "price_band", "status", "org_kind", "owner", "public")
FILTER_KEYS = frozenset(
    {"kind", "field", "region", "trl_min", "trl_max", "modes", "transfer_mode", "price_band", "status", "org_kind",
     "exclude", "ids", "visible_to"}
)
_WS = "ws"
MAX_QUERY_TOKENS = 64


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("title", "keywords", "body", "all"):
        sb.add_text_field(name, stored=False, tokenizer_name=_WS, index_option="freq")
    for name in _RAW_MULTI:
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("field_code", "region_city"):  # facet values: the exact field code, the city of the region
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("trl", stored=False, indexed=True, fast=True)
    return sb.build()


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str | int):
        return [str(value)]
    return [str(v) for v in value if v not in (None, "")]


def region_prefix(code: str) -> str:
    """The code prefix that a region filter keeps: ``PP0000`` → ``PP``, ``PPCC00`` → ``PPCC``, else the code."""
    code = str(code).strip()
    if len(code) == 6 and code.isdigit():
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def _region_path(code) -> list[str]:
    code = str(code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return []
    return sorted({code[:2], code[:4], code})


def _field_prefixes(codes) -> list[str]:
    out: set[str] = set()
    for code in _as_list(codes):
        out.update(code[:i] for i in range(1, len(code) + 1))
    return sorted(out)


def analyze_document(doc: dict) -> tuple[str, str, str]:
    """The analysed title, keywords and body of a document (tokens joined by spaces): the costly part of indexing,
    free of the index, so that a rebuild can run it in other processes."""
    title = " ".join(textmod.analyze(doc.get("title") or ""))
    kw_tokens: list[str] = []
    for kw in _as_list(doc.get("keywords")):
        kw_tokens.extend(textmod.analyze(kw))
    return title, " ".join(kw_tokens), " ".join(textmod.analyze(doc.get("body") or ""))


def analyze_documents(docs: list[dict]) -> list[tuple[str, str, str]]:
    return [analyze_document(doc) for doc in docs]


class _WriterLock:
    """An exclusive lock across processes (``fcntl.flock``) plus one across threads of this process."""

    _threads = threading.Lock()

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self._threads.acquire()
        try:
            self.fh = open(self.path, "a+")  # noqa: SIM115 - held across __enter__/__exit__
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(self, *exc):
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
            self.fh.close()
        finally:
            self._threads.release()


class LexicalIndex:
    def __init__(self, path: Path | None = None, *, heap_size: int = 64_000_000, threads: int = 1,
                 flush_every: int = 20_000):
        self._tmp = None
        if path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tt-lexical-")
            path = Path(self._tmp.name)
        self.path = Path(path)
        self.heap_size = heap_size
        self.threads = max(1, threads)  # indexing threads of a large write (each gets heap_size / threads)
        self.flush_every = flush_every
        self.recreated = False
        self.schema = _schema()
        self._pending: list = []
        self._deletes: list[str] = []
        self._clear = False
        self._meta_stamp = None
        self._index = self._open()

    # -- opening -----------------------------------------------------------------------------------------------

    @property
    def _lock_path(self) -> Path:
        return self.path.parent / f".{self.path.name}.writer-lock"

    def _version_file(self) -> Path:
        return self.path / "tt-schema.json"

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        if (self.path / "meta.json").exists():
            try:
                version = json.loads(self._version_file().read_text()).get("version")
                if version != SCHEMA_VERSION:
                    raise ValueError(f"schema version {version!r}, expected {SCHEMA_VERSION}")
                index = tantivy.Index(self.schema, str(self.path), reuse=True)
                index.register_tokenizer(_WS, self._analyzer())
                searcher = index.searcher()
                searcher.search(tantivy.Query.all_query(), limit=1, count=True)  # a corrupt index fails here
                return self._configure(index)
            except Exception as exc:  # noqa: BLE001 - any failure to open means: start again from the source
                log.warning("search index at %s is unusable (%s); recreating it empty", self.path, exc)
                with _WriterLock(self._lock_path):
                    shutil.rmtree(self.path, ignore_errors=True)
                    self.path.mkdir(parents=True, exist_ok=True)
        # Missing or unusable: the caller rebuilds it from its source of truth (a fresh temporary one is not).
        self.recreated = self._tmp is None
        with _WriterLock(self._lock_path):
            if (self.path / "meta.json").exists() and self._version_file().exists():
                index = tantivy.Index(self.schema, str(self.path), reuse=True)  # another process was quicker
            else:
                index = tantivy.Index(self.schema, str(self.path), reuse=False)
                self._version_file().write_text(json.dumps({"version": SCHEMA_VERSION}))
        index.register_tokenizer(_WS, self._analyzer())
        return self._configure(index)

    @staticmethod
    def _analyzer():
        return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()

    def _configure(self, index):
        # Reloads are done by hand (``_fresh``): the stat of meta.json is cheaper than a watcher thread and also
        # sees commits of other processes at once.
        index.config_reader(reload_policy="manual")
        return index

    # -- writing -----------------------------------------------------------------------------------------------

    def _document(self, doc: dict, analyzed: tuple[str, str, str] | None = None) -> tantivy.Document:
        doc_id = str(doc["id"])
        d = tantivy.Document()
        d.add_text("id", doc_id)
        title, keywords, body = analyzed if analyzed is not None else analyze_document(doc)
        d.add_text("title", title)
        d.add_text("keywords", keywords)
        d.add_text("body", body)
        d.add_text("all", " ".join(part for part in (title, title, keywords, body) if part))
        d.add_text("kind", str(doc.get("kind") or doc_id.split(":", 1)[0]))
        for value in _field_prefixes(doc.get("field")):
            d.add_text("field", value)
        for value in _as_list(doc.get("field")):
            d.add_text("field_code", value)
        path = _region_path(doc.get("region"))
        for value in path:
            d.add_text("region", value)
        if path:
            d.add_text("region_city", path[1] + "00")
        for name in ("modes", "price_band", "status", "org_kind"):
            for value in _as_list(doc.get(name)):
                d.add_text(name, value)
        d.add_text("public", "1" if doc.get("public", True) else "0")
        if doc.get("owner") not in (None, ""):
            d.add_text("owner", str(doc["owner"]))
        trl = doc.get("trl")
        if trl not in (None, ""):
            d.add_integer("trl", int(trl))
        return d

    def add(self, docs: Iterable[dict], analyzed: Iterable[tuple[str, str, str]] | None = None) -> int:
        """``analyzed``: the documents' ``analyze_document`` results, when the caller analysed them already (a
        rebuild does it in several processes)."""
        n = 0
        pairs = zip(docs, analyzed, strict=True) if analyzed is not None else ((doc, None) for doc in docs)
        for doc, done in pairs:
            self._pending.append((str(doc["id"]), self._document(doc, done)))
            n += 1
            if len(self._pending) >= self.flush_every:
                self._flush(commit=False)
        return n

    def delete(self, ids: Iterable[str]) -> None:
        self._deletes.extend(str(i) for i in ids)

    def clear(self) -> None:
        self._clear = True
        self._pending.clear()
        self._deletes.clear()

    def commit(self) -> None:
        self._flush(commit=True)

    def _flush(self, commit: bool) -> None:
        if not (self._pending or self._deletes or self._clear or commit):
            return
        with _WriterLock(self._lock_path):
            small = len(self._pending) < 2_000
            writer = self._index.writer(15_000_000, 1) if small else self._index.writer(
                max(self.heap_size, 15_000_000 * self.threads), self.threads)
            try:
                if self._clear:
                    writer.delete_all_documents()
                    self._clear = False
                for doc_id in self._deletes:
                    writer.delete_documents_by_term("id", doc_id)
                for doc_id, doc in self._pending:
                    writer.delete_documents_by_term("id", doc_id)
                    writer.add_document(doc)
                writer.commit()
                self._pending.clear()
                self._deletes.clear()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
                del writer
        self._fresh(force=True)

    # -- reading -----------------------------------------------------------------------------------------------

    def _fresh(self, force: bool = False) -> tantivy.Searcher:
        try:
            st = os.stat(self.path / "meta.json")
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if force or stamp != self._meta_stamp:
            self._index.reload()
            self._meta_stamp = stamp
        return self._index.searcher()

    def count(self) -> int:
        return self._fresh().num_docs

    def version(self) -> tuple:
        """What changes with every commit to this index (of any process): for caches of results."""
        self._fresh()
        return (str(self.path), self._meta_stamp)

    def _filter_queries(self, filters: dict | None) -> tuple[list, list]:
        must, must_not = [], []
        if not filters:
            return must, must_not
        unknown = set(filters) - FILTER_KEYS
        if unknown:
            raise ValueError(f"unknown filter: {', '.join(sorted(unknown))}")
        s = self.schema
        for key, value in filters.items():
            if value in (None, "", []):
                continue
            if key == "exclude":
                must_not.extend(tantivy.Query.term_query(s, "id", v) for v in _as_list(value))
            elif key == "ids":
                must.append(self._any_of("id", _as_list(value)))
            elif key == "visible_to":
                must.append(self._visibility(value))
            elif key in ("trl_min", "trl_max"):
                continue
            elif key == "region":
                must.append(self._any_of("region", [region_prefix(v) for v in _as_list(value)]))
            elif key in ("modes", "transfer_mode"):
                must.append(self._any_of("modes", _as_list(value)))
            else:
                must.append(self._any_of(key, _as_list(value)))
        lo, hi = filters.get("trl_min"), filters.get("trl_max")
        if lo not in (None, "") or hi not in (None, ""):
            must.append(tantivy.Query.range_query(
                s, "trl", tantivy.FieldType.Integer,
                int(lo) if lo not in (None, "") else 1, int(hi) if hi not in (None, "") else 9))
        return must, must_not

    def _visibility(self, scope: dict):
        s = self.schema
        options = [(tantivy.Occur.Should, tantivy.Query.term_query(s, "public", "1"))]
        orgs = _as_list(scope.get("orgs"))
        if orgs:
            options.append((tantivy.Occur.Should, self._any_of("owner", orgs)))
        regions = [region_prefix(r) for r in _as_list(scope.get("regions"))]
        if regions:
            options.append((tantivy.Occur.Should, self._any_of("region", regions)))
        return tantivy.Query.boolean_query(options)

    def _any_of(self, field: str, values: list[str]):
        if len(values) == 1:
            return tantivy.Query.term_query(self.schema, field, values[0])
        return tantivy.Query.term_set_query(self.schema, field, values)

    def _text_query(self, tokens: list[str]):
        s = self.schema
        clauses = []
        for token in tokens[:MAX_QUERY_TOKENS]:
            per_field = [
                (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(s, name, token), boost))
                for name, boost in BOOSTS.items()
            ]
            clauses.append((tantivy.Occur.Should, tantivy.Query.boolean_query(per_field)))
        return tantivy.Query.boolean_query(clauses)

    def build_query(self, query: str, filters: dict | None = None):
        """The engine query for ``query`` and ``filters`` (None when the query has no usable token and there is no
        filter: nothing can match)."""
        tokens = textmod.analyze_query(query or "")
        must, must_not = self._filter_queries(filters)
        if not tokens and not must:
            return None
        parts = []
        if tokens:
            parts.append((tantivy.Occur.Must, self._text_query(tokens)))
        else:
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        parts.extend((tantivy.Occur.Must, q) for q in must)
        parts.extend((tantivy.Occur.MustNot, q) for q in must_not)
        if len(parts) == 1:
            return parts[0][1]
        if tokens:
            # Filters must not add to the score.
            parts = [parts[0]] + [(occ, tantivy.Query.const_score_query(q, 0.0) if occ == tantivy.Occur.Must else q)
                                  for occ, q in parts[1:]]
        return tantivy.Query.boolean_query(parts)

    def search(self, query: str, filters: dict | None = None, limit: int = 10, offset: int = 0
               ) -> tuple[int, list[tuple[str, float]]]:
        q = self.build_query(query, filters)
        if q is None or limit <= 0:
            return 0, []
        searcher = self._fresh()
        result = searcher.search(q, limit=limit, count=True, offset=offset)
        hits = [(searcher.doc(addr).get_first("id"), float(score)) for score, addr in result.hits]
        return int(result.count or 0), hits

    def facets(self, query: str, filters: dict | None = None, fields: Iterable[str] = FACET_FIELDS,
               size: int = 20) -> dict[str, dict[str, int]]:
        q = self.build_query(query, filters)
        if q is None:
            return {}
        fields = list(fields)
        agg = {name: {"terms": {"field": name, "size": size}} for name in fields}
        if not agg:
            return {}
        raw = self._fresh().aggregate(q, agg)
        out: dict[str, dict[str, int]] = {}
        for name in fields:
            buckets = (raw.get(name) or {}).get("buckets") or []
            out[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets}
        return out

    def close(self) -> None:
        self._index = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.cleanup()
            self._tmp = None

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()
