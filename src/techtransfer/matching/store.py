"""Where the search index lives and which generation is live — the bottom of the matching app's own modules
(``vectors`` and ``indexing`` build on it; it imports neither).

Layout under ``settings.DATA_DIR / "index"`` (or ``settings.MATCHING_INDEX_DIR``)::

    CURRENT            name of the live generation, e.g. ``lexical-20261125T051500``
    lexical-…/         a Tantivy index (``engine.lexical.LexicalIndex``)
    terms.txt          the domain dictionary (keywords and technical-field names) of the last rebuild

Every process notices a switch of generations (``CURRENT`` changed) within ``MATCHING_GENERATION_CHECK_SECONDS``
(0.25 s by default: ``get_index`` looks at ``CURRENT`` at most that often, not before every search; a rebuild in
this process switches at once). A missing or unusable index is recreated empty and ``index_missing`` is sent: the
matching app's receivers have this host's index follower rebuild it from the database (the sender of the signal
need not know who does).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from django.conf import settings
from django.dispatch import Signal

from techtransfer.taxonomy.models import TechField

from .engine import text as textmod
from .engine.lexical import LexicalIndex

log = logging.getLogger(__name__)

# Sent when ``get_index`` found the live index missing or unusable and recreated it empty; ``root`` = the index
# folder. The receiver rebuilds it from the database (``receivers.on_index_missing``).
index_missing = Signal()


def index_root() -> Path:
    root = getattr(settings, "MATCHING_INDEX_DIR", None) or Path(settings.DATA_DIR) / "index"
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return root


class _State:
    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self):
        self.root: Path | None = None
        self.current_stamp = None
        self.index: LexicalIndex | None = None
        self.generation: str | None = None
        self.terms_loaded_for: Path | None = None
        self.configured = None  # the settings the open index was found with (``_configured``)
        self.next_check = 0.0  # time.monotonic() after which ``CURRENT`` is looked at again


_state = _State()


def current_file(root: Path) -> Path:
    return root / "CURRENT"


def _stamp(path: Path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def write_current(root: Path, name: str) -> None:
    tmp = root / f".CURRENT.{os.getpid()}"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, current_file(root))


@contextlib.contextmanager
def rebuild_lock(root: Path, blocking: bool = True):
    with open(root / ".rebuild-lock", "a+") as fh:
        flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
        try:
            fcntl.flock(fh.fileno(), flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def reset() -> None:
    """Forget the open index (tests, and after the index folder moved)."""
    with _state.lock:
        # Dropped, not closed: another thread may still be answering a search with it.
        _state.clear()


# How often (seconds) ``get_index`` looks whether another process switched generations.
GENERATION_CHECK_SECONDS = 0.25


def _configured():
    return getattr(settings, "MATCHING_INDEX_DIR", None), getattr(settings, "DATA_DIR", None)


def get_index(rebuild_if_missing: bool = True) -> LexicalIndex:
    """The live index of this process, reopened when another process switched generations (looked at once per
    ``MATCHING_GENERATION_CHECK_SECONDS``, on a monotonic clock). A missing or corrupt index is recreated empty and
    rebuilt from the database (``index_missing``, by this host's index follower)."""
    index = _state.index
    if index is not None and time.monotonic() < _state.next_check and _state.configured == _configured():
        return index  # checked a moment ago: no stat of CURRENT, no mkdir of the folder
    root = index_root()
    stamp = _stamp(current_file(root))
    with _state.lock:
        interval = float(getattr(settings, "MATCHING_GENERATION_CHECK_SECONDS", GENERATION_CHECK_SECONDS))
        if _state.index is not None and _state.root == root and _state.current_stamp == stamp:
            _state.configured, _state.next_check = _configured(), time.monotonic() + interval
            return _state.index
        name = ""
        if stamp is not None:
            name = current_file(root).read_text(encoding="utf-8").strip()
        if not name or "/" in name or name.startswith("."):
            name = "lexical-0"
            write_current(root, name)
            stamp = _stamp(current_file(root))
        index = LexicalIndex(root / name)
        _state.root, _state.current_stamp, _state.index, _state.generation = root, stamp, index, name
        _state.configured, _state.next_check = _configured(), time.monotonic() + interval
        _load_terms(root)
        needs_rebuild = index.recreated
    if needs_rebuild and rebuild_if_missing:
        log.warning("search index %s was missing or unusable: rebuilding it from the database", root / name)
        index_missing.send(sender=LexicalIndex, root=root)
        return get_index(rebuild_if_missing=False)
    return index


def _load_terms(root: Path) -> None:
    if _state.terms_loaded_for == root:
        return
    _state.terms_loaded_for = root
    path = root / "terms.txt"
    if path.exists():
        textmod.add_terms(path.read_text(encoding="utf-8").split("\n"))
    else:
        with contextlib.suppress(Exception):  # the database may not be ready (first migrate)
            textmod.add_terms(field_terms())


def field_terms() -> list[str]:
    """The names of the technical fields (part of the domain dictionary)."""
    return list(TechField.objects.values_list("name", flat=True))


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    lock = path.parent / f".{path.name}.writer-lock"
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()


def discard_live() -> None:
    """Remove the live generation (it failed while searching); the next ``get_index`` rebuilds it."""
    root = index_root()
    name = _state.generation
    if name:
        remove_tree(root / name)


def last_rebuild_started() -> float:
    """When the last rebuild started (epoch seconds; 0 when never)."""
    try:
        return float((index_root() / "rebuild-started").read_text(encoding="utf-8").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0.0


def mark_applied(created_at: float) -> None:
    """Remember that this host's index has applied the changes committed up to ``created_at`` (epoch seconds), for
    the health check's index lag. Keeps the latest time; concurrent writers may lose a step, never go back far."""
    path = index_root() / "applied"
    if created_at <= applied():
        return
    tmp = path.with_name(f".applied.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(repr(created_at), encoding="utf-8")
    os.replace(tmp, path)


def applied() -> float:
    """Up to when (epoch seconds) the changes have been applied to this host's index; 0 when unknown."""
    try:
        return float((index_root() / "applied").read_text(encoding="utf-8").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0.0
