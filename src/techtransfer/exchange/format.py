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

import copy
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


BUNDLE_FORMAT = "techtransfer-exchange-bundle"

# An export bundle (reporting upwards, ``services.bundle``): the feed's items changed in a period, signed like a page.
BUNDLE_SCHEMA = {
    "type": "object",
    "required": ["format", "version", "instance", "period", "regions", "kinds", "generated_at", "items"],
    "properties": {
        "format": {"const": BUNDLE_FORMAT},
        "version": {"type": "string", "pattern": r"^1\.[0-9]+$"},
        "instance": {"type": "string", "pattern": INSTANCE_ID_PATTERN},
        "period": {
            "type": "object",
            "required": ["from", "to"],
            "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}},
        },
        "regions": {"type": ["array", "null"], "items": {"type": "string", "pattern": r"^[0-9]{6}$"}},
        "kinds": {"type": "array", "items": {"enum": list(KINDS)}},
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
    _validate_items(doc)


def validate_bundle(doc) -> None:
    """Raise ``FormatError`` unless ``doc`` is a well-formed export bundle (``BUNDLE_SCHEMA``) of valid items."""
    try:
        jsonschema.validate(doc, BUNDLE_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise FormatError(f"{_where(exc)}: {exc.message}") from None
    _validate_items(doc)


def _validate_items(doc) -> None:
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


# Code lists named in every classification member (``{"list": <name>, "code": <code>}``), with where the codes
# come from. docs/exchange.md lists the same.
CODE_LISTS = {
    "GB/T 2260": "administrative divisions of the PRC (six-digit region codes)",
    "GB/T 4754": "industrial classification for national economic activities (e.g. C3841)",
    "IPC": "International Patent Classification (e.g. H01M 10/0525)",
    "GB 32100": "unified social credit codes of organizations (18 characters)",
    "ISO 3166-1": "country codes (alpha-2), for foreign organizations",
    "techtransfer-tech-field": "the platform's technical fields (taxonomy.TechField codes)",
    "techtransfer-transfer-mode": "how an achievement changes hands (transfer, licences, equity, …)",
    "techtransfer-cooperation-mode": "how a demand wants its problem solved",
    "techtransfer-org-kind": "organization types (enterprise, university, institute, …)",
    "techtransfer-contract-category": "technology contract categories of the technology-market statistics "
    "(技术开发, 技术转让, 技术许可, 技术咨询, 技术服务)",
    "techtransfer-contract-flow": "where the technology goes, seen from the seller (in_province, cross_province, "
    "international)",
    "techtransfer-broker-level": "technology broker/manager levels (junior, intermediate, senior)",
}

_NULL = {"type": "null"}
_TEXT = {"type": "string"}
_DATE_TIME = {"type": "string", "format": "date-time"}
_DATE = {"type": "string", "format": "date"}
# Money: a decimal string in yuan with two decimals (exact; never a float), or null when not given.
_MONEY = {"type": "string", "pattern": r"^-?[0-9]{1,15}\.[0-9]{2}$"}
_MONEY_OR_NULL = {"anyOf": [_MONEY, _NULL]}
_URL_OR_NULL = {"anyOf": [{"type": "string", "format": "uri", "pattern": "^https?://"}, _NULL]}


def bilingual(description: str = "") -> dict:
    """A text in Chinese and English: both members always present (``""`` when that variant is not given)."""
    out = {
        "type": "object",
        "required": ["zh-Hans", "en"],
        "additionalProperties": False,
        "properties": {"zh-Hans": _TEXT, "en": _TEXT},
    }
    if description:
        out["description"] = description
    return out


def code(list_name: str, pattern: str | None = None) -> dict:
    """A classification code named by its code list: ``{"list": list_name, "code": "…"}``."""
    code_schema = {"type": "string", "minLength": 1, "maxLength": 40}
    if pattern:
        code_schema = {"type": "string", "pattern": pattern}
    return {
        "type": "object",
        "required": ["list", "code"],
        "additionalProperties": False,
        "properties": {"list": {"const": list_name}, "code": code_schema},
    }


def _or_null(schema: dict) -> dict:
    return {"anyOf": [schema, _NULL]}


def _codes(list_name: str, pattern: str | None = None) -> dict:
    return {"type": "array", "items": code(list_name, pattern)}


REGION = code("GB/T 2260", r"^[0-9]{6}$")
TECH_FIELD = code("techtransfer-tech-field")
CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
OWNER = {
    "type": "object",
    "required": ["id", "name", "credit_code"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": GLOBAL_ID_PATTERN},
        "name": bilingual(),
        "credit_code": {"anyOf": [{"type": "string", "pattern": CREDIT_CODE}, _NULL]},
    },
}
# A figure of the technology-market statistics: contracts, contract amount and technology transaction amount
# (技术交易额), amounts in yuan as decimal strings.
FIGURES = {
    "count": {"type": "integer"},
    "contract_amount": _MONEY,
    "tech_amount": _MONEY,
}

COMMON = {
    "id": {"type": "string", "pattern": GLOBAL_ID_PATTERN, "description": "<instance id>/<kind>/<local id>"},
    "kind": {"enum": list(KINDS)},
    "url": _URL_OR_NULL,
    "title": bilingual("the record's title; an organization's name, a person's name, a statistics label"),
    "region": _or_null(REGION),
    "tech_field": _or_null(TECH_FIELD),
    "owner": _or_null(OWNER),
    "patent_numbers": {"type": "array", "items": _TEXT, "description": "numbers of the record's patents"},
    "updated_at": _DATE_TIME,
}

_ACHIEVEMENT_REF = {
    "type": "object",
    "required": ["id", "title"],
    "additionalProperties": False,
    "properties": {"id": {"type": "string", "pattern": GLOBAL_ID_PATTERN}, "title": bilingual()},
}

_TRADE = {
    "achievement": _ACHIEVEMENT_REF,
    "transfer_mode": code("techtransfer-transfer-mode"),
    "status": _TEXT,
}

# Each kind's own members (beside COMMON), its schema.org type and its GB/T 30523 mapping (docs/exchange.md).
KIND_MEMBERS: dict[str, tuple[str, str, dict]] = {
    "achievement": (
        "CreativeWork",
        "scientific and technological achievement (科技成果): the public summary, never the protected details",
        {
            "abstract": bilingual(),
            "keywords": {"type": "array", "items": _TEXT},
            "industries": _codes("GB/T 4754"),
            "ipc": _codes("IPC"),
            "trl": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 9}, _NULL]},
            "transfer_modes": _codes("techtransfer-transfer-mode"),
            "asking_price": _MONEY_OR_NULL,
            "price_negotiable": {"type": "boolean"},
            "dual_use": {"type": "boolean"},
            "status": {"enum": ["published", "in_negotiation", "transferred"]},
            "published_at": _or_null(_DATE_TIME),
            "ip_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "title", "number", "granted"],
                    "additionalProperties": False,
                    "properties": {
                        "kind": _TEXT,
                        "title": _TEXT,
                        "number": _TEXT,
                        "granted": {"type": "boolean"},
                    },
                },
            },
        },
    ),
    "demand": (
        "Demand",
        "technology demand (技术需求) of an enterprise: the problem, never the contact person or channels",
        {
            "problem": bilingual(),
            "target_indicators": _TEXT,
            "keywords": {"type": "array", "items": _TEXT},
            "budget_min": _MONEY_OR_NULL,
            "budget_max": _MONEY_OR_NULL,
            "deadline": _or_null(_DATE),
            "cooperation_modes": _codes("techtransfer-cooperation-mode"),
            "status": {"enum": ["published", "in_negotiation", "transferred"]},
            "published_at": _or_null(_DATE_TIME),
        },
    ),
    "organization": (
        "Organization",
        "verified organization (机构): never its contacts or credit records",
        {
            "org_kind": code("techtransfer-org-kind"),
            "credit_code": _or_null(code("GB 32100", CREDIT_CODE)),
            "country": _or_null(code("ISO 3166-1", r"^[A-Z]{2}$")),
            "address": _TEXT,
            "website": _TEXT,
            "description": _TEXT,
            "demo_level": _TEXT,
            "demo_year": {"anyOf": [{"type": "integer"}, _NULL]},
        },
    ),
    "expert": (
        "Person",
        "expert (专家) listed in the directory: never the phone or e-mail",
        {
            "organization": _or_null(OWNER),
            "professional_title": _TEXT,
            "titles": _TEXT,
            "specialties": _TEXT,
            "expertise": _TEXT,
            "tech_fields": _codes("techtransfer-tech-field"),
            "available": {"type": "boolean"},
        },
    ),
    "broker": (
        "Person",
        "technology broker or manager (技术经纪人/技术经理人) listed in the directory: never the phone or e-mail",
        {
            "organization": _or_null(OWNER),
            "professional_title": _TEXT,
            "broker_kind": {"enum": ["broker", "manager"]},
            "level": code("techtransfer-broker-level"),
            "certificate_no": _TEXT,
            "certified_on": _or_null(_DATE),
            "expertise": _TEXT,
            "tech_fields": _codes("techtransfer-tech-field"),
        },
    ),
    "listing": (
        "Offer",
        "listing at a fixed price (挂牌交易): never the registered buyers or their deposits",
        {
            **_TRADE,
            "price": _MONEY,
            "terms": _TEXT,
            "qualification": _TEXT,
            "deposit": _MONEY,
            "starts_at": _DATE_TIME,
            "ends_at": _DATE_TIME,
        },
    ),
    "auction": (
        "Offer",
        "auction (拍卖): prices and the number of bids, never the bidders or the reserve price",
        {
            **_TRADE,
            "start_price": _MONEY,
            "increment": _MONEY,
            "current_price": _MONEY_OR_NULL,
            "bid_count": {"type": "integer", "minimum": 0},
            "deposit": _MONEY,
            "starts_at": _DATE_TIME,
            "ends_at": _DATE_TIME,
        },
    ),
    "deal": (
        "Order",
        "concluded deal (成交记录): price, parties' organizations and where it came from",
        {
            **_TRADE,
            "buyer": _or_null(OWNER),
            "price": _MONEY,
            "source": {"enum": ["listing", "auction", "notice"]},
            "concluded_at": _DATE_TIME,
        },
    ),
    "statistics": (
        "Dataset",
        "registered technology contracts (技术合同登记) of a region (the sellers inside it) in a calendar year",
        {
            "year": {"type": "integer", "minimum": 1900, "maximum": 9999},
            "period": {
                "type": "object",
                "required": ["from", "to"],
                "additionalProperties": False,
                "properties": {"from": _DATE, "to": _DATE},
            },
            "side": {"const": "output"},
            "currency": {"const": "CNY"},
            "totals": {
                "type": "object",
                "required": list(FIGURES),
                "additionalProperties": False,
                "properties": FIGURES,
            },
            "by_category": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["category", *FIGURES],
                    "additionalProperties": False,
                    "properties": {"category": _or_null(code("techtransfer-contract-category")), **FIGURES},
                },
            },
            "by_flow": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["flow", *FIGURES],
                    "additionalProperties": False,
                    "properties": {"flow": _or_null(code("techtransfer-contract-flow")), **FIGURES},
                },
            },
        },
    ),
}


@functools.cache
def _record_schema(kind: str) -> dict:
    schema_org, description, members = KIND_MEMBERS[kind]
    properties = {**COMMON, "kind": {"const": kind}, **members}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} record",
        "description": description,
        "x-schema-org": schema_org,
        "type": "object",
        "required": [*COMMON, *members],
        "additionalProperties": False,
        "properties": properties,
    }


def record_schema(kind: str) -> dict:
    """The JSON Schema of one kind's records: the ``COMMON`` members and the kind's own (``KIND_MEMBERS``), every
    member required (null or empty when not given), nothing else allowed, so that a record cannot carry more than
    the published public parts. ``x-schema-org`` names the schema.org type the record maps to."""
    if kind not in KIND_MEMBERS:
        raise FormatError(f"unknown kind {kind!r}")
    return copy.deepcopy(_record_schema(kind))


def schema() -> dict:
    """The whole published schema (``/api/v1/exchange/schema``): page, item and every kind's record."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "TechTransfer exchange format",
        "version": VERSION,
        "page": PAGE_SCHEMA,
        "bundle": BUNDLE_SCHEMA,
        "code_lists": CODE_LISTS,
        "records": {kind: record_schema(kind) for kind in KINDS},
    }
