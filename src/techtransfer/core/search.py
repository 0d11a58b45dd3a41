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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


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
