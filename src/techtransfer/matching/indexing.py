"""The platform's search index: documents from the database, keeping them fresh, rebuilding the index. The index
is derived data — the database is the source of truth.

What is indexed is declared by the apps that own the records, in the module their AppConfig names as
``search_documents`` (``<app>/search.py`` with ``DOCUMENTS`` and ``ADDITIONS``, see ``core.search``): achievements
and demands (catalog), experts and brokers (people), organizations (orgs, with their public records added by the
catalog). This module reads those declarations (``core.plugins.app_modules``); it imports none of those apps.

Where the index lives and which generation is live is ``store``'s business (re-exported here). A rebuild writes a
new generation beside the live one and switches ``CURRENT`` atomically, so searches keep working during a
rebuild; records changed meanwhile are indexed again after the switch.
"""

from __future__ import annotations

import collections
import datetime
import functools
import itertools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.utils import timezone

from techtransfer.core import plugins
from techtransfer.core.search import SearchAddition, SearchDocument, SearchNote

from . import vectors
from .engine import text as textmod
from .engine.lexical import LexicalIndex, analyze_documents
from .store import (  # noqa: F401 - re-exported: callers and tests use ``indexing.get_index`` and friends
    _state,
    current_file,
    discard_live,
    field_terms,
    get_index,
    index_root,
    last_rebuild_started,
    mark_applied,
    rebuild_lock,
    remove_tree,
    reset,
    write_current,
)

# The kinds of documents, in the order they are listed and rebuilt; a kind declared by an app but not named here
# comes after these.
ALL_KINDS = ["achievement", "demand", "expert", "broker", "organization"]
BATCH = 500
# A rebuild analyses the text of its documents in worker processes (``MATCHING_INDEX_WORKERS``, default: one per
# core, at most 4; 0 or 1 = in this process) in chunks of ANALYSIS_CHUNK documents, when it has at least
# PARALLEL_MIN_DOCUMENTS of them (below that, starting the workers costs more than it saves).
ANALYSIS_CHUNK = 1000
PARALLEL_MIN_DOCUMENTS = 3000


# -- what the apps declare -----------------------------------------------------------------------------------------

@functools.cache
def _declared() -> tuple[dict[str, SearchDocument], dict[str, list[SearchAddition]]]:
    documents: dict[str, SearchDocument] = {}
    additions: dict[str, list[SearchAddition]] = {}
    for _config, module in plugins.app_modules("search_documents"):
        for doc in getattr(module, "DOCUMENTS", ()):
            if doc.kind in documents:
                raise ValueError(f"search documents of kind {doc.kind!r} are declared twice")
            documents[doc.kind] = doc
        for addition in getattr(module, "ADDITIONS", ()):
            additions.setdefault(addition.kind, []).append(addition)
    order = ALL_KINDS + sorted(k for k in documents if k not in ALL_KINDS)
    return {k: documents[k] for k in order if k in documents}, additions


def search_documents() -> dict[str, SearchDocument]:
    """Every declared kind of document, by kind, in ``ALL_KINDS`` order."""
    return _declared()[0]


@functools.cache
def search_notes() -> dict[str, list[SearchNote]]:
    """The notes apps declare about hits of a kind (``core.search.SearchNote``), by kind."""
    notes: dict[str, list[SearchNote]] = {}
    for _config, module in plugins.app_modules("search_documents"):
        for note in getattr(module, "NOTES", ()):
            notes.setdefault(note.kind, []).append(note)
    return notes


def declared_kinds() -> list[str]:
    """Every declared kind: ``ALL_KINDS`` (this platform's records) first, then those other apps declare (e.g. the
    records of peer platforms)."""
    return list(search_documents())


def other_kinds() -> list[str]:
    """The declared kinds that are not this platform's own records (``ALL_KINDS``)."""
    return [k for k in search_documents() if k not in ALL_KINDS]


def domain_terms(limit: int = 200_000) -> list[str]:
    """The domain dictionary: technical-field names and the keywords of published achievements and demands."""
    terms: dict[str, None] = dict.fromkeys(field_terms())
    for doc in search_documents().values():
        if doc.keywords is None:
            continue
        for kws in doc.keywords():
            for kw in kws or ():
                if isinstance(kw, str):
                    terms.setdefault(kw.strip(), None)
            if len(terms) >= limit:
                break
    return [t for t in terms if t]


# -- loading records -----------------------------------------------------------------------------------------------

def _build(kind: str, doc: SearchDocument, batch: list) -> list[dict]:
    built = doc.build(batch)
    for addition in _declared()[1].get(kind, ()):
        extra = addition.add([obj.pk for obj in batch])
        for obj, d in zip(batch, built, strict=True):
            more = extra.get(obj.pk) or {}
            d["body"] = "\n".join(x for x in [d["body"], *more.get("body", ())] if x)
            d["field"] = list(dict.fromkeys([*d["field"], *more.get("field", ())]))
    return built


def iter_documents(kinds: Iterable[str] = ALL_KINDS, pks: dict[str, list[int]] | None = None,
                   since: datetime.datetime | None = None) -> Iterator[dict]:
    """Index documents from the database, in batches."""
    declared = search_documents()
    for kind in kinds:
        doc = declared[kind]
        qs = doc.records()
        if pks is not None:
            qs = qs.filter(pk__in=pks.get(kind, []))
        if since is not None:
            qs = qs.filter(**{f"{doc.changed_field}__gte": since})
        last = 0
        while True:
            batch = list(qs.filter(pk__gt=last)[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            yield from _build(kind, doc, batch)


def count_records(kinds: Iterable[str] | None = None) -> dict[str, int]:
    kinds = declared_kinds() if kinds is None else list(kinds)
    return {kind: doc.records().count() for kind, doc in search_documents().items() if kind in kinds}


def dependents(kind: str, pks: list[int]) -> dict[str, list[int]]:
    """Other documents that change with these records (``{kind: [pk, ...]}``), as their app declares."""
    doc = search_documents().get(kind)
    if doc is None or doc.dependents is None:
        return {}
    return doc.dependents(pks)


# -- keeping it fresh ---------------------------------------------------------------------------------------------

def update_records(kind: str, pks: Iterable[int], semantic: bool = True) -> int:
    """Index the current state of the given records, or remove those that are gone or drafts. Returns how many
    documents were written. Cheap enough to run for every change (one commit); ``semantic`` also (re-)encodes
    their vectors when a model is configured."""
    pks = sorted({int(p) for p in pks})
    if not pks:
        return 0
    index = get_index()
    docs = list(iter_documents([kind], pks={kind: pks}))
    found = {int(d["id"].split(":", 1)[1]) for d in docs}
    gone = [f"{kind}:{pk}" for pk in pks if pk not in found]
    for d in docs:
        textmod.add_terms(d.get("keywords") or ())
    index.delete(gone)
    index.add(docs)
    index.commit()
    if semantic:
        vectors.update(docs, gone)
    return len(docs)


def analysis_workers() -> int:
    """How many processes analyse text during a rebuild (``MATCHING_INDEX_WORKERS``; 0/1 = none besides this)."""
    configured = getattr(settings, "MATCHING_INDEX_WORKERS", None)
    if configured not in (None, ""):
        return max(0, int(configured))
    return min(4, os.cpu_count() or 1)


def _analysis_pool(documents: int) -> ProcessPoolExecutor | None:
    """Worker processes for the text analysis of a rebuild of ``documents``, or None (analysed here).

    Spawned, not forked: the workers inherit neither this process's database connections nor a lock another
    thread may hold (the segmenter's, the task worker's); they only analyse text, never touch the database."""
    workers = analysis_workers()
    if workers < 2 or documents < PARALLEL_MIN_DOCUMENTS:
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               # a worker imports only the Django-free engine; it starts with the domain
                               # dictionary of this process, so that both segment alike
                               initializer=textmod.add_normalized_terms, initargs=(sorted(textmod.domain_terms()),))


def _analysed(docs: Iterator[dict], pool: ProcessPoolExecutor | None
              ) -> Iterator[tuple[list[dict], list[tuple[str, str, str]] | None]]:
    """``docs`` in chunks, each with its analysis (``engine.lexical.analyze_documents``) done by ``pool`` — in
    order, a few chunks ahead — or None without a pool (``LexicalIndex.add`` analyses them then)."""
    chunks = iter(lambda: list(itertools.islice(docs, ANALYSIS_CHUNK)), [])
    if pool is None:
        for chunk in chunks:
            yield chunk, None
        return
    ahead: collections.deque = collections.deque()
    for chunk in chunks:
        ahead.append((chunk, pool.submit(analyze_documents, chunk)))
        if len(ahead) > 2 * analysis_workers():  # enough work queued to keep every worker busy
            chunk, future = ahead.popleft()
            yield chunk, future.result()
    while ahead:
        chunk, future = ahead.popleft()
        yield chunk, future.result()


def rebuild(progress: Callable[[str], None] | None = None, kinds: Iterable[str] | None = None,
            semantic: bool = True) -> dict:
    """Recreate the index from the database into a new generation and switch to it. Returns figures.

    With ``semantic`` and an embedding model configured, the vectors are rebuilt too (texts encoded before are
    taken from the vector cache; new ones are encoded — slow on a small CPU, see docs/matching.md)."""
    say = progress or (lambda _msg: None)
    kinds = declared_kinds() if kinds is None else list(kinds)
    root = index_root()
    with rebuild_lock(root):
        started = timezone.now()
        (root / "rebuild-started").write_text(str(time.time()), encoding="utf-8")
        t0 = time.perf_counter()
        terms = domain_terms()
        textmod.add_terms(terms)
        (root / ".terms.tmp").write_text("\n".join(terms), encoding="utf-8")
        os.replace(root / ".terms.tmp", root / "terms.txt")
        name = "lexical-" + datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
        totals = count_records(kinds)
        pool = _analysis_pool(sum(totals.values()))
        # Text analysed in the workers, documents read from the database and written here: the writer's threads
        # turn the analysed text into segments meanwhile.
        index = LexicalIndex(root / name, heap_size=128_000_000, threads=2 if pool else 1, flush_every=50_000)
        done: dict[str, int] = {}
        try:
            for kind in kinds:
                n = 0
                for chunk, analyzed in _analysed(iter_documents([kind]), pool):
                    index.add(chunk, analyzed)
                    before, n = n, n + len(chunk)
                    if n // 5000 > before // 5000:
                        say(f"  {kind}: {n}/{totals.get(kind, 0)}")
                done[kind] = n
                say(f"  {kind}: {n} indexed")
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        index.commit()
        index.close()
        old = current_file(root).read_text(encoding="utf-8").strip() if current_file(root).exists() else ""
        write_current(root, name)
        reset()
        # Records changed while the new generation was built were written to the old one: index them again.
        for kind in kinds:
            changed = list(iter_documents([kind], since=started - datetime.timedelta(seconds=1)))
            if changed:
                get_index(rebuild_if_missing=False).add(changed)
        get_index(rebuild_if_missing=False).commit()
        mark_applied(started.timestamp() - 1)  # every change committed before the rebuild started is in it
        for entry in root.iterdir():
            if entry.is_dir() and entry.name.startswith("lexical-") and entry.name != name:
                remove_tree(entry)
        if semantic and vectors.encoder() is not None:
            say("  encoding documents for the semantic index …")
            written = vectors.update(list(iter_documents(kinds)), replace_all=True)
            say(f"  vectors: {written}")
        seconds = time.perf_counter() - t0
        total = sum(done.values())
        say(f"Index rebuilt: {total} documents in {seconds:.1f} s ({old or 'none'} → {name})")
        return {"documents": total, "by_kind": done, "seconds": round(seconds, 3), "generation": name}


def status() -> dict:
    """What the index holds against what the database holds."""
    root = index_root()
    index = get_index(rebuild_if_missing=False)
    return {"path": str(root / (_state.generation or "")), "documents": index.count(),
            "records": sum(count_records().values())}
