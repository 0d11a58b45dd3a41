"""The platform's semantic path — optional. It is active only when the encoder and vector index of
``engine.semantic`` are importable and ``TECHTRANSFER_EMBEDDING_MODEL`` names a model; otherwise every function
here is a no-op and search is lexical.

The vectors live beside the lexical index (``<index dir>/vectors.usearch`` and its id map); each text is encoded
once ever (``semantic.VectorCache``). Documents are the same public-only documents as the lexical index's, so
protected text is never embedded either. Filters are applied by the lexical index (its filter fields), so a
semantic hit obeys exactly the same filters and read scope as a lexical one.

The semantic path joins a search only once the vector index covers at least ``MIN_COVERAGE`` of the documents in
the lexical index: while a large catalogue is still being encoded (a first rebuild with a model, the demo), a
handful of vectors would otherwise take the head of every fused ranking. Until then searches are lexical (results
report ``mode``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from .store import get_index, index_root

try:
    from .engine import semantic
except ImportError:  # the semantic path is optional: without it every function here is a no-op
    semantic = None

log = logging.getLogger(__name__)

MIN_COVERAGE = 0.9
_lock = threading.RLock()
_loaded: dict = {"path": None, "stamp": None, "index": None}


def encoder():
    """The configured encoder, or None (no model configured, or the semantic module is absent)."""
    if semantic is None:
        return None
    try:
        return semantic.get_encoder()
    except Exception:  # noqa: BLE001 - a broken model folder must not take search down
        log.exception("the embedding model could not be loaded; searching lexically")
        return None


def _path() -> Path:
    return index_root() / "vectors.usearch"


def _stamp(path: Path):
    try:
        st = (path.with_suffix(path.suffix + ".ids")).stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _open(enc):
    """The vector index of this process, reloaded when another process saved a newer one."""
    path = _path()
    stamp = _stamp(path)
    with _lock:
        if _loaded["path"] == path and _loaded["stamp"] == stamp and _loaded["index"] is not None:
            return _loaded["index"]
        index = None
        if stamp is not None:
            try:
                index = semantic.VectorIndex.load(path)
            except Exception:  # noqa: BLE001 - a damaged vector index is rebuilt from the cache
                log.warning("vector index %s is unusable; starting it again", path)
        if index is None or index.dim != enc.dim:
            index = semantic.VectorIndex(enc.dim)
        _loaded.update(path=path, stamp=stamp, index=index)
        return index


@contextlib.contextmanager
def _writer():
    path = _path()
    with open(path.parent / ".vectors-lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            with _lock:
                _loaded["stamp"] = None  # reload under the lock: another process may have written meanwhile
                yield path
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _passage(doc: dict) -> str:
    return semantic.passage_text(doc.get("title", ""), doc.get("keywords") or (), doc.get("body", ""))


def update(docs: list[dict], gone: Iterable[str] = (), replace_all: bool = False) -> int:
    """Encode (through the cache) and store the vectors of ``docs``; drop ``gone``. Returns vectors written.
    A failure is logged, never raised: the lexical index is already up to date and stands alone."""
    try:
        return _update(docs, list(gone), replace_all)
    except Exception:  # noqa: BLE001
        log.exception("vector index update failed; search stays lexical for these records")
        return 0


def _update(docs: list[dict], gone: list[str], replace_all: bool) -> int:
    enc = encoder()
    if enc is None:
        return 0
    vectors = semantic.encode_passages_cached(enc, [_passage(d) for d in docs], semantic.VectorCache())
    with _writer() as path:
        index = semantic.VectorIndex(enc.dim) if replace_all else _open(enc)
        index.remove(gone)
        if docs:
            index.add([d["id"] for d in docs], vectors)
        index.save(path)
        _loaded.update(path=path, stamp=_stamp(path), index=index)
    return len(docs)


def search(query: str, filters: dict, depth: int) -> list[tuple[str, float]] | None:
    """``(id, cosine similarity)`` of the ``depth`` documents nearest to ``query`` by meaning that pass ``filters``
    (applied by the lexical index), best first; None when there is no semantic path (or it failed: the lexical
    ranking stands alone)."""
    try:
        return _search(query, filters, depth)
    except Exception:  # noqa: BLE001
        log.exception("semantic search failed; answering lexically")
        return None


def _search(query: str, filters: dict, depth: int) -> list[tuple[str, float]] | None:
    enc = encoder()
    if enc is None:
        return None
    index = _open(enc)
    if not len(index):
        return None
    lexical = get_index()
    documents = lexical.count()
    if documents and len(index) < MIN_COVERAGE * documents:
        log.info("semantic index covers %d of %d documents (< %.0f %%): answering lexically", len(index), documents,
                 MIN_COVERAGE * 100)
        return None
    qvec = _query_vector(enc, query)
    return list(nearest(index, lexical, qvec, filters, depth))


def nearest(index, lexical, qvec, filters: dict | None, depth: int) -> list[tuple[str, float]]:
    """The ``depth`` documents of ``index`` nearest to ``qvec`` that pass ``filters``, as (id, similarity).

    The filters are evaluated by the lexical index ``lexical`` (its filter fields, read scope included), never
    re-implemented here. One count query gives the size of the allowed set: a small set (≤ ``EXACT_BELOW``) is
    listed and ranked exactly over its vectors; a larger one is searched with a single ANN list widened by the
    set's share of the index and checked in one batched ``ids`` query (widened again only when short).
    """
    active = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    if not active:
        return index.search(qvec, limit=min(depth, len(index)))
    allowed, _hits = lexical.search("", active, limit=1)
    if lexical.build_query("", active) is None:  # e.g. only exclusions: no count, check candidates in batches
        allowed = None

    def passes(ids: list[str]) -> set[str]:
        _total, ok = lexical.search("", {**active, "ids": ids}, limit=len(ids))
        return {doc_id for doc_id, _s in ok}

    def listing() -> list[str]:
        _total, ok = lexical.search("", active, limit=allowed)
        return [doc_id for doc_id, _s in ok]

    return index.search_within(qvec, depth, passes, allowed=allowed, listing=listing, exact_below=EXACT_BELOW,
                               budget=ANN_BUDGET, min_hits=min(depth, MIN_HITS))


EXACT_BELOW = 2_000  # allowed sets up to this size are ranked exactly (listing them costs ~10 ms per 2,000)
ANN_BUDGET: int | None = 1_000  # longest ANN list searched at once for a filtered query (None: no cap)
MIN_HITS = 30  # a capped list must yield at least this many allowed documents, else it is widened


def vectors_of(ids):
    enc = encoder()
    return _open(enc).vectors(list(ids)) if enc is not None else None


_queries: OrderedDict = OrderedDict()
QUERY_CACHE_SIZE = 1024


def _query_vector(enc, query: str):
    """The query's vector, from a small LRU cache (repeated queries, paging, the fusion step) or encoded."""
    key = (enc.model_id, query)
    with _lock:
        vec = _queries.get(key)
        if vec is not None:
            _queries.move_to_end(key)
            return vec
    vec = enc.encode_queries([query])[0]
    with _lock:
        _queries[key] = vec
        while len(_queries) > QUERY_CACHE_SIZE:
            _queries.popitem(last=False)
    return vec


def query_vector(query: str):
    enc = encoder()
    return _query_vector(enc, query) if enc is not None else None
