"""Federated records: storing a peer's record (one feed item) and linking duplicates across platforms.

Duplicates are linked, not shown twice: a federated record that has the same patent number (normalised:
``normalize_patent``) as a public local achievement, or the same normalised title and owner credit code as a
public local achievement or demand, points to it (``duplicate_of_kind``/``duplicate_of_local_id``); otherwise one
that matches an earlier federated record of the same kind points to that one (``duplicate_of``). Duplicates and
withdrawn records stay out of the lists and the search index.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q, Value
from django.db.models.functions import Replace, Upper

from techtransfer.catalog.models import Achievement, Demand, IPItem
from techtransfer.exchange.models import FederatedRecord
from techtransfer.orgs import creditcode
from techtransfer.regions import services as regions

# Exchange kinds that have a local counterpart in the catalog (duplicates are looked for there).
LOCAL_MODELS = {"achievement": Achievement, "demand": Demand}
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_TITLE_DROP = re.compile(r"[\W_]+", re.UNICODE)


def normalize_patent(number: str) -> str:
    """``ZL 2021 1 0123456.7``, ``CN202110123456.7`` and ``202110123456.7`` are one number: upper case, letters
    and digits only, without the ``ZL`` (patent) and ``CN`` (office) prefixes."""
    text = _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", str(number or "")).upper())
    for prefix in ("ZL", "CN"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def normalize_title(title: str) -> str:
    """Case, width, spaces and punctuation do not make two titles different."""
    return _TITLE_DROP.sub("", unicodedata.normalize("NFKC", str(title or "")).casefold())


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _one_text(value) -> str:
    """A bilingual text (``{"zh-Hans", "en"}``) as one text: the Chinese, else the English."""
    if isinstance(value, dict):
        return str(value.get("zh-Hans") or value.get("en") or "")
    return str(value or "")


def fields_from(record: dict) -> dict:
    """The columns a federated record keeps beside its ``data``, from the record's common members."""
    title = record.get("title") or {}
    if not isinstance(title, dict):
        title = {"zh-Hans": str(title)}
    region = record.get("region") or {}
    field = record.get("tech_field") or {}
    owner = record.get("owner") or {}
    code = _text(region.get("code") if isinstance(region, dict) else "", 6)
    numbers = []
    for n in record.get("patent_numbers") or ():
        norm = normalize_patent(n)
        if norm and norm not in numbers:
            numbers.append(norm)
    return {
        "title": _text(title.get("zh-Hans") or title.get("en"), 300),
        "title_en": _text(title.get("en"), 300),
        "region_code": code if code.isdigit() and len(code) == 6 else "",
        "tech_field_code": _text(field.get("code") if isinstance(field, dict) else "", 16),
        "owner_name": _text(_one_text(owner.get("name")) if isinstance(owner, dict) else "", 200),
        "owner_credit_code": creditcode.normalize(
            _text(owner.get("credit_code") if isinstance(owner, dict) else "", 18)
        ),
        "patent_numbers": numbers,
        "source_url": _text(record.get("url"), 500)
        if str(record.get("url") or "").startswith(("http://", "https://"))
        else "",
    }


def _stripped(column: str):
    """``column`` upper-cased without the separators patent numbers are written with (the database's side of
    ``normalize_patent``, to narrow the candidates; the exact comparison is ``normalize_patent``'s)."""
    expr = Upper(column)
    for sep in (" ", ".", "-", "/", "　"):
        expr = Replace(expr, Value(sep), Value(""))
    return expr


def _local_by_patent(numbers: list[str]) -> int | None:
    for number in numbers:
        if len(number) < 6:
            continue
        rows = (
            IPItem.objects.annotate(tt_number=_stripped("number"))
            .filter(tt_number__endswith=number, achievement__in=Achievement.objects.filter(Achievement.public_q()))
            .values_list("achievement_id", "number")
            .order_by("achievement_id")
        )
        for achievement_id, local in rows:
            if normalize_patent(local) == number:
                return achievement_id
    return None


def _local_by_title(kind: str, title: str, credit_code: str) -> int | None:
    model = LOCAL_MODELS.get(kind)
    norm = normalize_title(title)
    if model is None or not norm or not credit_code:
        return None
    rows = (
        model.objects.filter(model.public_q(), owner__credit_code__iexact=credit_code)
        .values_list("pk", "title")
        .order_by("pk")
    )
    for pk, local_title in rows:
        if normalize_title(local_title) == norm:
            return pk
    return None


def _federated_match(rec: FederatedRecord) -> FederatedRecord | None:
    others = (
        FederatedRecord.objects.filter(kind=rec.kind, withdrawn=False, duplicate_of__isnull=True)
        .exclude(pk=rec.pk)
        .order_by("pk")
    )
    if rec.pk:
        others = others.filter(pk__lt=rec.pk)  # the earliest one is the record; later ones point to it
    for number in rec.patent_numbers:
        found = others.filter(patent_numbers__icontains=f'"{number}"').first()
        if found is not None and number in found.patent_numbers:
            return found
    norm = normalize_title(rec.title)
    if rec.owner_credit_code and norm:
        for other in others.filter(owner_credit_code=rec.owner_credit_code):
            if normalize_title(other.title) == norm:
                return other
    return None


def link_duplicate(rec: FederatedRecord) -> None:
    """Set (or clear) ``rec``'s duplicate links from the rules above (not saved)."""
    rec.duplicate_of_kind, rec.duplicate_of_local_id, rec.duplicate_of = "", None, None
    if rec.withdrawn:
        return
    local = None
    if rec.kind == "achievement":
        local = _local_by_patent(rec.patent_numbers)
    if local is None:
        local = _local_by_title(rec.kind, rec.title, rec.owner_credit_code)
    if local is not None:
        rec.duplicate_of_kind, rec.duplicate_of_local_id = rec.kind, local
        return
    other = _federated_match(rec)
    if other is None:
        return
    if other.duplicate_of_local_id:
        rec.duplicate_of_kind, rec.duplicate_of_local_id = other.duplicate_of_kind, other.duplicate_of_local_id
    else:
        rec.duplicate_of = other


def shown_q() -> Q:
    """The federated records lists and search show: not withdrawn, not a duplicate."""
    return FederatedRecord.public_q() & Q(duplicate_of__isnull=True, duplicate_of_local_id__isnull=True)


def region_known(code: str) -> bool:
    return bool(code) and regions.exists(code)
