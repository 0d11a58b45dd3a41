"""The platform's search index: documents built from the database, where the index lives, keeping it fresh,
rebuilding it. The index is derived data — the database is the source of truth.

Layout under ``settings.DATA_DIR / "index"`` (or ``settings.MATCHING_INDEX_DIR``)::

    CURRENT            name of the live generation, e.g. ``lexical-20261125T051500``
    lexical-…/         a Tantivy index (``engine.lexical.LexicalIndex``)
    terms.txt          the domain dictionary (keywords and technical-field names) of the last rebuild

A rebuild writes a new generation beside the live one and switches ``CURRENT`` atomically, so searches keep
working during a rebuild; records changed meanwhile are indexed again after the switch. Every process notices the
switch (``CURRENT`` changed) and another process's commit (``meta.json`` changed) before its next search.

What is indexed (public fields only — the protected details of an achievement and the contact fields of a
demand are never read here, so they can surface neither in ranking nor in snippets):

- achievement: title, keywords, abstract, English title and abstract, IPC and industry codes; filters: field,
  region, TRL, transfer modes, price band, status, owner kind;
- demand: title, keywords, problem, target indicators, the latest standard description (refinement); filters:
  field(s), region, cooperation modes, budget band, status, owner kind;
- expert, broker: name, expertise, titles, specialties, biography, organization; filters: fields, region,
  organization kind;
- organization: name, description, titles and keywords of its public records; filters: fields of its records,
  region, kind.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .engine import text as textmod
from .engine.lexical import LexicalIndex

log = logging.getLogger(__name__)

ALL_KINDS = ["achievement", "demand", "expert", "broker", "organization"]
BATCH = 500

# Price bands (yuan) for achievements' asking price and demands' budget.
PRICE_BANDS = (
    ("lt_100k", Decimal("100000")),
    ("100k_1m", Decimal("1000000")),
    ("1m_10m", Decimal("10000000")),
    ("gte_10m", None),
)


def price_band(amount: Decimal | None, negotiable: bool = False) -> str:
    if negotiable:
        return "negotiable"
    if amount is None:
        return "unpriced"
    for name, upper in PRICE_BANDS:
        if upper is None or amount < upper:
            return name
    return "gte_10m"


# -- where the index lives ---------------------------------------------------------------------------------------

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


_state = _State()


def _current_file(root: Path) -> Path:
    return root / "CURRENT"


def _stamp(path: Path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _write_current(root: Path, name: str) -> None:
    tmp = root / f".CURRENT.{os.getpid()}"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, _current_file(root))


@contextlib.contextmanager
def _rebuild_lock(root: Path, blocking: bool = True):
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


def get_index(rebuild_if_missing: bool = True) -> LexicalIndex:
    """The live index of this process, reopened when another process switched generations. A missing or corrupt
    index is recreated empty and rebuilt from the database (through the task queue)."""
    root = index_root()
    stamp = _stamp(_current_file(root))
    with _state.lock:
        if _state.index is not None and _state.root == root and _state.current_stamp == stamp:
            return _state.index
        name = ""
        if stamp is not None:
            name = _current_file(root).read_text(encoding="utf-8").strip()
        if not name or "/" in name or name.startswith("."):
            name = "lexical-0"
            _write_current(root, name)
            stamp = _stamp(_current_file(root))
        index = LexicalIndex(root / name)
        _state.root, _state.current_stamp, _state.index, _state.generation = root, stamp, index, name
        _load_terms(root)
        needs_rebuild = index.recreated
    if needs_rebuild and rebuild_if_missing:
        log.warning("search index %s was missing or unusable: rebuilding it from the database", root / name)
        from . import tasks

        tasks.rebuild_index_task()
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
    from techtransfer.taxonomy.models import TechField

    return list(TechField.objects.values_list("name", flat=True))


def domain_terms(limit: int = 200_000) -> list[str]:
    """The domain dictionary: technical-field names and the keywords of published achievements and demands."""
    from techtransfer.catalog.models import Achievement, Demand

    terms: dict[str, None] = dict.fromkeys(field_terms())
    for model in (Achievement, Demand):
        for kws in model.objects.filter(model.public_q()).values_list("keywords", flat=True).iterator(2000):
            for kw in kws or ():
                if isinstance(kw, str):
                    terms.setdefault(kw.strip(), None)
            if len(terms) >= limit:
                break
    return [t for t in terms if t]


# -- documents -----------------------------------------------------------------------------------------------------

def _ipc_text(codes) -> str:
    # "H01M 10/0525" also yields its subclass "h01m" as a token through the analyser.
    return " ".join(str(c) for c in codes or ())


def achievement_doc(a) -> dict:
    """The public summary of an achievement. Never reads ``protected_details``."""
    body = "\n".join(p for p in (a.abstract, a.title_en, a.abstract_en, _ipc_text(a.ipc_codes),
                                 " ".join(a.industry_codes or ())) if p)
    return {
        "id": f"achievement:{a.pk}", "kind": "achievement", "title": a.title, "keywords": list(a.keywords or ()),
        "body": body, "field": a.tech_field_id or "", "region": a.region_id, "trl": a.trl,
        "modes": list(a.transfer_modes or ()), "price_band": price_band(a.asking_price, a.price_negotiable),
        "status": a.status, "org_kind": a.owner.kind if a.owner_id else "", "owner": a.owner_id,
        "public": a.is_public,
    }


def latest_refinement(demand):
    cached = getattr(demand, "_tt_refinements", None)
    if cached is not None:
        return cached[0] if cached else None
    return demand.refinements.order_by("-version").first()


def demand_doc(d) -> dict:
    """The public fields of a demand and its latest standard description. Never reads the contact fields."""
    ref = latest_refinement(d)
    parts = [d.problem, d.target_indicators]
    fields = [d.tech_field_id] if d.tech_field_id else []
    if ref is not None:
        parts += [ref.title, ref.description, ref.key_indicators, _ipc_text(ref.ipc_codes)]
        if ref.tech_field_id and ref.tech_field_id not in fields:
            fields.append(ref.tech_field_id)
    budget = d.budget_max if d.budget_max is not None else d.budget_min
    return {
        "id": f"demand:{d.pk}", "kind": "demand", "title": d.title, "keywords": list(d.keywords or ()),
        "body": "\n".join(p for p in parts if p), "field": fields, "region": d.region_id,
        "modes": list(d.cooperation_modes or ()), "price_band": price_band(budget), "status": d.status,
        "org_kind": d.owner.kind if d.owner_id else "", "owner": d.owner_id, "public": d.is_public,
    }


def _person_parts(p) -> list[str]:
    return [p.name, p.name_en, p.title, p.expertise, p.bio, p.organization.name if p.organization_id else ""]


def _person_fields(p) -> list[str]:
    return [f.pk for f in p.fields.all()]


def expert_doc(e) -> dict:
    p = e.person
    return {
        "id": f"expert:{e.pk}", "kind": "expert", "title": p.name,
        "keywords": [k for k in _split_keywords(p.expertise)],
        "body": "\n".join(x for x in _person_parts(p)[1:] + [e.titles, e.specialties] if x),
        "field": _person_fields(p), "region": p.region_id, "status": "available" if e.available else "unavailable",
        "org_kind": p.organization.kind if p.organization_id else "", "owner": p.organization_id,
        "public": bool(p.published),
    }


def broker_doc(b) -> dict:
    p = b.person
    return {
        "id": f"broker:{b.pk}", "kind": "broker", "title": p.name,
        "keywords": [k for k in _split_keywords(p.expertise)],
        "body": "\n".join(x for x in _person_parts(p)[1:] + [b.get_kind_display(), b.get_level_display()] if x),
        "field": _person_fields(p), "region": p.region_id, "status": b.level,
        "org_kind": p.organization.kind if p.organization_id else "", "owner": p.organization_id,
        "public": bool(p.published),
    }


def organization_doc(o, record_texts: list[str] | None = None, fields: list[str] | None = None) -> dict:
    from techtransfer.orgs.models import Verification

    if record_texts is None or fields is None:
        record_texts, fields = _org_records(o.pk)
    return {
        "id": f"organization:{o.pk}", "kind": "organization", "title": o.name,
        "keywords": [], "body": "\n".join(x for x in [o.name_en, o.description, *record_texts] if x),
        "field": fields, "region": o.region_id, "status": o.verification, "org_kind": o.kind, "owner": o.pk,
        "public": o.verification == Verification.VERIFIED,
    }


def _org_records(org_id: int) -> tuple[list[str], list[str]]:
    """Titles and keywords of an organization's public achievements and demands (what it offers and needs: the
    industries an enterprise works in), and their technical fields."""
    from techtransfer.catalog.models import Achievement, Demand

    texts: list[str] = []
    fields: dict[str, None] = {}
    for model in (Demand, Achievement):
        rows = model.objects.filter(model.public_q(), owner_id=org_id).values_list("title", "keywords",
                                                                                    "tech_field_id")[:50]
        for title, keywords, field in rows:
            texts.append(" ".join([title, *[k for k in keywords or () if isinstance(k, str)]]))
            if field:
                fields.setdefault(field, None)
    return texts, list(fields)


def _split_keywords(value: str) -> list[str]:
    import re

    return [k for k in (x.strip() for x in re.split(r"[,，;；、/\s]+", value or "")) if k]


# -- loading records -----------------------------------------------------------------------------------------------

def _querysets():
    from django.db.models import Prefetch

    from techtransfer.catalog.models import Achievement, Demand, DemandRefinement
    from techtransfer.orgs.models import Organization
    from techtransfer.people.models import BrokerProfile, ExpertProfile

    refs = Prefetch("refinements", queryset=DemandRefinement.objects.order_by("-version"), to_attr="_tt_refinements")
    return {
        "achievement": (Achievement.objects.select_related("owner").exclude(status="draft").order_by("pk"),
                        achievement_doc),
        "demand": (Demand.objects.select_related("owner").prefetch_related(refs).exclude(status="draft")
                   .order_by("pk"), demand_doc),
        "expert": (ExpertProfile.objects.select_related("person__organization").prefetch_related("person__fields")
                   .order_by("pk"), expert_doc),
        "broker": (BrokerProfile.objects.select_related("person__organization").prefetch_related("person__fields")
                   .order_by("pk"), broker_doc),
        "organization": (Organization.objects.order_by("pk"), organization_doc),
    }


def _org_record_map(org_ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    from techtransfer.catalog.models import Achievement, Demand

    out: dict[int, tuple[list[str], dict]] = {pk: ([], {}) for pk in org_ids}
    for model in (Demand, Achievement):
        rows = (model.objects.filter(model.public_q(), owner_id__in=org_ids)
                .values_list("owner_id", "title", "keywords", "tech_field_id").order_by("-pk"))
        for owner, title, keywords, field in rows.iterator(2000):
            texts, fields = out[owner]
            if len(texts) < 50:
                texts.append(" ".join([title, *[k for k in keywords or () if isinstance(k, str)]]))
            if field:
                fields.setdefault(field, None)
    return {pk: (t, list(f)) for pk, (t, f) in out.items()}


def iter_documents(kinds: Iterable[str] = ALL_KINDS, pks: dict[str, list[int]] | None = None,
                   since: datetime.datetime | None = None) -> Iterator[dict]:
    """Index documents from the database, in batches. Drafts are left out (nobody searches for them)."""
    qss = _querysets()
    for kind in kinds:
        qs, make = qss[kind]
        if pks is not None:
            qs = qs.filter(pk__in=pks.get(kind, []))
        if since is not None:
            qs = qs.filter(**{("person__updated_at__gte" if kind in ("expert", "broker") else "updated_at__gte"):
                              since})
        last = 0
        while True:
            batch = list(qs.filter(pk__gt=last)[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            if kind == "organization":
                extra = _org_record_map([o.pk for o in batch])
                for o in batch:
                    texts, fields = extra[o.pk]
                    yield organization_doc(o, texts, fields)
            else:
                for obj in batch:
                    yield make(obj)


def count_records(kinds: Iterable[str] = ALL_KINDS) -> dict[str, int]:
    return {kind: qs.count() for kind, (qs, _make) in _querysets().items() if kind in kinds}


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
        from . import vectors

        vectors.update(docs, gone)
    return len(docs)


def rebuild(progress: Callable[[str], None] | None = None, kinds: Iterable[str] = ALL_KINDS,
            semantic: bool = True) -> dict:
    """Recreate the index from the database into a new generation and switch to it. Returns figures.

    With ``semantic`` and an embedding model configured, the vectors are rebuilt too (texts encoded before are
    taken from the vector cache; new ones are encoded — slow on a small CPU, see docs/matching.md)."""
    say = progress or (lambda _msg: None)
    root = index_root()
    with _rebuild_lock(root):
        started = timezone.now()
        (root / "rebuild-started").write_text(str(time.time()), encoding="utf-8")
        t0 = time.perf_counter()
        terms = domain_terms()
        textmod.add_terms(terms)
        (root / ".terms.tmp").write_text("\n".join(terms), encoding="utf-8")
        os.replace(root / ".terms.tmp", root / "terms.txt")
        name = "lexical-" + datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
        index = LexicalIndex(root / name)
        totals = count_records(kinds)
        done: dict[str, int] = {}
        for kind in kinds:
            n = 0
            for n, doc in enumerate(iter_documents([kind]), start=1):
                index.add([doc])
                if n % 5000 == 0:
                    say(f"  {kind}: {n}/{totals.get(kind, 0)}")
            done[kind] = n
            say(f"  {kind}: {n} indexed")
        index.commit()
        index.close()
        old = _current_file(root).read_text(encoding="utf-8").strip() if _current_file(root).exists() else ""
        _write_current(root, name)
        reset()
        # Records changed while the new generation was built were written to the old one: index them again.
        for kind in kinds:
            changed = list(iter_documents([kind], since=started - datetime.timedelta(seconds=1)))
            if changed:
                get_index(rebuild_if_missing=False).add(changed)
        get_index(rebuild_if_missing=False).commit()
        for entry in root.iterdir():
            if entry.is_dir() and entry.name.startswith("lexical-") and entry.name != name:
                _remove_tree(entry)
        from . import vectors

        if semantic and vectors.encoder() is not None:
            say("  encoding documents for the semantic index …")
            written = vectors.update(list(iter_documents(kinds)), replace_all=True)
            say(f"  vectors: {written}")
        seconds = time.perf_counter() - t0
        total = sum(done.values())
        say(f"Index rebuilt: {total} documents in {seconds:.1f} s ({old or 'none'} → {name})")
        return {"documents": total, "by_kind": done, "seconds": round(seconds, 3), "generation": name}


def discard_live() -> None:
    """Remove the live generation (it failed while searching); the next ``get_index`` rebuilds it."""
    root = index_root()
    name = _state.generation
    if name:
        _remove_tree(root / name)


def last_rebuild_started() -> float:
    """When the last rebuild started (epoch seconds; 0 when never)."""
    try:
        return float((index_root() / "rebuild-started").read_text(encoding="utf-8").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0.0


def owners_of(kind: str, pks: list[int]) -> list[int]:
    from techtransfer.catalog.models import Achievement, Demand

    model = {"achievement": Achievement, "demand": Demand}[kind]
    return sorted(set(model.objects.filter(pk__in=pks).values_list("owner_id", flat=True)))


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    lock = path.parent / f".{path.name}.writer-lock"
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()


def status() -> dict:
    """What the index holds against what the database holds."""
    root = index_root()
    index = get_index(rebuild_if_missing=False)
    return {"path": str(root / (_state.generation or "")), "documents": index.count(),
            "records": sum(count_records().values())}
