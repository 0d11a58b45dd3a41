"""Search documents (检索文档) that an app offers to the platform's search index.

An app that owns searchable records declares them in its own ``<app>/search.py`` as a list ``DOCUMENTS`` of
``SearchDocument`` (its records become documents of one kind) and, to enrich another app's documents with its
own data, ``ADDITIONS`` of ``SearchAddition``; to say something about another app's hits, ``NOTES`` of
``SearchNote``. The matching app reads that module in every installed app that
names it as ``search_documents = "search"`` on its AppConfig; no app imports the matching app, and the matching app
imports none of the apps it indexes to build documents.

A document is a dict of public fields only (never protected details or contact fields): ``id``
(``"kind:pk"``), ``kind``, ``title``, ``keywords``, ``body``, and the filter fields ``field``, ``region``,
``trl``, ``modes``, ``price_band``, ``status``, ``org_kind``, ``owner``, ``public`` (see
``matching.engine.lexical``).

The other way round, the catalogue lists ask the search engine for their text query through ``text_search``: the
app that declares ``text_search`` on its AppConfig (the matching app) ranks the public records of a kind by a
query with filters and returns ``TextHits``; without such an app, or when it raises ``TextSearchUnavailable``,
``text_search`` returns None and the caller searches the database itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from techtransfer.core import plugins

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchDocument:
    """How the records of one kind become search documents.

    - ``records()``: the queryset of records to index (drafts left out), with what ``build`` reads joined in.
    - ``build(batch)``: the documents of a batch of those records (a list, in the batch's order).
    - ``changed_field``: the date-time field that tells when a record last changed (re-indexing after a rebuild).
    - ``keywords()``: optional; the keyword lists of the public records, for the domain dictionary.
    - ``dependents(pks)``: optional; other documents that change with these records, as ``{kind: [pk, ...]}``
      (an organization's document lists its records' titles).
    - ``watch``: ``(model, pks_of)`` pairs: after a change of a ``model`` row commits, the documents of this kind
      with the ids ``pks_of(instance)`` are indexed again. A many-to-many ``through`` model is followed through
      ``m2m_changed`` (``instance`` is the changed row of either side).

    How hits of the kind load back, for kinds the matching app does not know itself (all optional; a kind without
    ``load`` is indexed but its hits are not shown):

    - ``load(user, pks)``: ``{pk: record}`` of the records among ``pks`` that exist and that ``user`` may see now;
    - ``url(record)``, ``title(record)``, ``public_text(record)`` (public fields only: snippets are cut from it);
    - ``provenance(record)``: where the record comes from, shown with the hit (e.g. the peer platform's name);
    - ``label``: the kind's name shown with its hits.
    """

    kind: str
    records: Callable[[], Any]
    build: Callable[[list], list[dict]]
    changed_field: str = "updated_at"
    keywords: Callable[[], Iterable[Iterable[str] | None]] | None = None
    dependents: Callable[[list[int]], dict[str, list[int]]] | None = None
    watch: tuple[tuple[type, Callable[[Any], list[int]]], ...] = ()
    load: Callable[[Any, list[int]], dict[int, Any]] | None = None
    url: Callable[[Any], str] | None = None
    title: Callable[[Any], str] | None = None
    public_text: Callable[[Any], str] | None = None
    provenance: Callable[[Any], str] | None = None
    label: Any = ""


@dataclass(frozen=True)
class SearchAddition:
    """What an app adds to the documents of another app's kind, from its own records: ``add(pks)`` returns
    ``{pk: {"body": [text, ...], "field": [code, ...]}}``; the texts are appended to the document's body (one per
    line) and the codes to its technical fields."""

    kind: str
    add: Callable[[list[int]], dict[int, dict[str, list[str]]]]


@dataclass(frozen=True)
class SearchNote:
    """What an app says about the hits of another app's kind, shown with them: ``notes(pks)`` returns
    ``{pk: text}`` (the exchange: "also on: <peer platform>" for a local achievement that peers publish too)."""

    kind: str
    notes: Callable[[list[int]], dict[int, str]]


# -- the text search of the catalogue lists -----------------------------------------------------------------------

#: The filters a text search provider understands (every one optional): ``field`` (a technical-field code),
#: ``region`` (a 6-digit code: its whole subtree), ``trl_min``/``trl_max`` (int), and lists of accepted values of
#: ``modes``, ``price_band`` (``catalog.search.price_band``), ``status`` and ``org_kind``.
TEXT_FILTERS = frozenset({"field", "region", "trl_min", "trl_max", "modes", "price_band", "status", "org_kind"})


class TextSearchUnavailable(Exception):
    """The provider cannot answer now (no index yet, being rebuilt, broken): the caller searches the database."""


@dataclass(frozen=True)
class TextHits:
    """A page of a text search over the public records of one kind: ``total`` matching records, the primary keys
    of the page in rank order, and ``facets`` (``{"field": {code: n}, "org_kind": {kind: n}}``) when asked."""

    total: int
    ids: list[int]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def text_search(kind: str, q: str, filters: dict, *, limit: int, offset: int = 0,
                facets: tuple[str, ...] = ()) -> TextHits | None:
    """The public records of ``kind`` ranked by ``q`` with ``filters`` (``TEXT_FILTERS``) by the declared provider
    (``PlatformAppConfig.text_search``); None, with a logged warning, when there is no provider or it cannot
    answer — the caller then searches the database (a list page never fails because the index does)."""
    provider = plugins.text_search_provider()
    if provider is None:
        log.warning("no text search provider: the %s list searches the database", kind)
        return None
    unknown = set(filters) - TEXT_FILTERS
    if unknown:
        raise ValueError(f"unknown text search filter: {', '.join(sorted(unknown))}")
    try:
        return provider(kind, q, filters, limit=limit, offset=offset, facets=facets)
    except TextSearchUnavailable as exc:
        log.warning("text search unavailable (%s): the %s list searches the database", exc, kind)
    except Exception:  # noqa: BLE001 - the list falls back to the database rather than fail
        log.exception("text search failed: the %s list searches the database", kind)
    return None
