"""The exchange format: the JSON Schema of feed pages and of the public records they carry (version ``VERSION``),
served at ``/api/v1/exchange/schema`` and written up in docs/exchange.md.

A feed page (signed, ``exchange.signing``)::

    {"format": "techtransfer-exchange", "version": "1.0", "instance": "yn-province",
     "since": "0", "next": "42", "has_more": false, "generated_at": "2026-12-03T08:00:00Z",
     "items": [{"id": "yn-province/achievement/17", "kind": "achievement", "seq": "41", "deleted": false,
                "changed_at": "2026-12-03T07:59:58Z", "record": {...}},
               {"id": "yn-province/demand/3", "kind": "demand", "seq": "42", "deleted": true,
                "changed_at": "...", "record": null}],
     "signature": {"alg": "Ed25519", "key_id": "…", "value": "…"}}

Global identifiers are ``<instance id>/<kind>/<local id>``. Every record carries the members every reader relies on
(``COMMON``): ``id``, ``kind``, ``url``, ``title`` (``{"zh-Hans": …, "en": …}``), ``region`` and ``tech_field``
(``{"list": <code list>, "code": …}`` or null), ``owner`` (``{"id", "name", "credit_code"}`` or null),
``patent_numbers`` (list) and ``updated_at``; the members of each kind are in ``record_schema(kind)``.
"""

from __future__ import annotations

import functools

import jsonschema

FORMAT = "techtransfer-exchange"
VERSION = "1.0"
KINDS = ("achievement", "demand", "organization", "expert", "broker", "listing", "auction", "deal", "statistics")
INSTANCE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
GLOBAL_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}/[a-z]+/[A-Za-z0-9._:-]{1,64}$"


class FormatError(ValueError):
    """A page or record that does not follow the published schema (the message names where)."""


ITEM_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "seq", "deleted", "changed_at", "record"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": GLOBAL_ID_PATTERN},
        "kind": {"enum": list(KINDS)},
        "seq": {"type": "string", "pattern": r"^[0-9]{1,19}$"},
        "deleted": {"type": "boolean"},
        "changed_at": {"type": "string", "format": "date-time"},
        "record": {"type": ["object", "null"]},
    },
}

PAGE_SCHEMA = {
    "type": "object",
    "required": ["format", "version", "instance", "since", "next", "has_more", "generated_at", "items"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"type": "string", "pattern": r"^1\.[0-9]+$"},
        "instance": {"type": "string", "pattern": INSTANCE_ID_PATTERN},
        "since": {"type": "string", "pattern": r"^[0-9]{0,19}$"},
        "next": {"type": "string", "pattern": r"^[0-9]{1,19}$"},
        "has_more": {"type": "boolean"},
        "generated_at": {"type": "string", "format": "date-time"},
        "items": {"type": "array", "items": ITEM_SCHEMA},
        "signature": {"type": "object"},
    },
}


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(document)"


def validate_page(doc) -> None:
    """Raise ``FormatError`` unless ``doc`` is a well-formed feed page whose items are well-formed records (a
    deleted item has ``record`` null, a live one a record of its kind with the item's ``id``)."""
    try:
        jsonschema.validate(doc, PAGE_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise FormatError(f"{_where(exc)}: {exc.message}") from None
    for n, item in enumerate(doc["items"]):
        if item["deleted"]:
            if item["record"] is not None:
                raise FormatError(f"items/{n}/record: a tombstone carries no record")
            continue
        if item["record"] is None:
            raise FormatError(f"items/{n}/record: a live item needs its record")
        if item["record"].get("id") != item["id"] or item["record"].get("kind") != item["kind"]:
            raise FormatError(f"items/{n}/record: id and kind must be the item's")
        try:
            validate_record(item["kind"], item["record"])
        except FormatError as exc:
            raise FormatError(f"items/{n}/record/{exc}") from None


@functools.cache
def _validator(kind: str):
    return jsonschema.Draft202012Validator(record_schema(kind))


def validate_record(kind: str, record) -> None:
    """Raise ``FormatError`` unless ``record`` follows ``record_schema(kind)``."""
    if kind not in KINDS:
        raise FormatError(f"unknown kind {kind!r}")
    error = jsonschema.exceptions.best_match(_validator(kind).iter_errors(record))
    if error is not None:
        raise FormatError(f"{_where(error)}: {error.message}")


def record_schema(kind: str) -> dict:
    """The JSON Schema of one kind's records. (Filled in by the feed work: the members of each kind.)"""
    return {"type": "object", "required": ["id", "kind"]}


def schema() -> dict:
    """The whole published schema (``/api/v1/exchange/schema``): page, item and every kind's record."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "TechTransfer exchange format",
        "version": VERSION,
        "page": PAGE_SCHEMA,
        "records": {kind: record_schema(kind) for kind in KINDS},
    }
