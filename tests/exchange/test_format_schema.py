"""The published format: every kind's schema is a valid JSON Schema that names its schema.org type, records carry
the common members, and signatures catch any change to a page."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest

from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.services import feed
from techtransfer.exchange.services.keys import identity
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.exchange.feedkit import every_kind, read_all
from tests.trading.conftest import tw  # noqa: F401  (fixture)


@pytest.mark.parametrize("kind", fmt.KINDS)
def test_every_kind_has_a_valid_closed_schema_with_the_common_members(kind):
    schema = fmt.record_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(fmt.COMMON) <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert schema["x-schema-org"] in {"CreativeWork", "Demand", "Organization", "Person", "Offer", "Order", "Dataset"}
    assert schema["properties"]["kind"] == {"const": kind}


def test_unknown_kind_and_extra_members_are_refused():
    with pytest.raises(fmt.FormatError):
        fmt.record_schema("patent")
    with pytest.raises(fmt.FormatError):
        fmt.validate_record("nonsense", {})


@pytest.mark.django_db
def test_records_of_every_kind_validate_and_an_extra_member_does_not(tw, cw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        every_kind(tw, cw)
    items, _ = read_all(limit=3)
    seen = set()
    for item in items:
        if item["deleted"]:
            continue
        seen.add(item["kind"])
        jsonschema.validate(item["record"], fmt.record_schema(item["kind"]))
        fmt.validate_record(item["kind"], item["record"])
        leaking = {**item["record"], "contact_phone": "0871-12345678"}
        with pytest.raises(fmt.FormatError, match="contact_phone"):
            fmt.validate_record(item["kind"], leaking)
    assert seen == set(fmt.KINDS) - {"demand"}
    bad = copy.deepcopy(next(i for i in items if i["kind"] == "achievement"))
    bad["record"]["title"] = "只有中文"
    with pytest.raises(fmt.FormatError, match="title"):
        fmt.validate_record("achievement", bad["record"])


@pytest.mark.django_db
def test_a_tampered_page_is_rejected(tw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        tw.achievement()
    page = feed.page()
    public = identity().public_key
    signing.verify_document(page, public)
    assert page["signature"]["key_id"] == signing.key_id(public)
    tampered = copy.deepcopy(page)
    tampered["items"][0]["record"]["title"]["zh-Hans"] = "篡改的标题"
    with pytest.raises(signing.SignatureError, match="altered or forged"):
        signing.verify_document(tampered, public)
    dropped = copy.deepcopy(page)
    dropped["items"] = dropped["items"][1:]
    with pytest.raises(signing.SignatureError):
        signing.verify_document(dropped, public)
    _private, other = signing.generate_keypair()
    with pytest.raises(signing.SignatureError, match="not with the peer's key"):
        signing.verify_document(page, other)


def test_schema_document_names_code_lists_and_kinds():
    doc = fmt.schema()
    assert set(doc["records"]) == set(fmt.KINDS)
    assert {"GB/T 2260", "GB/T 4754", "IPC", "GB 32100", "techtransfer-contract-category"} <= set(doc["code_lists"])
    assert doc["page"] is fmt.PAGE_SCHEMA and doc["version"] == fmt.VERSION


def test_the_examples_in_docs_exchange_md_follow_the_schema():
    text = (Path(__file__).resolve().parents[2] / "docs" / "exchange.md").read_text(encoding="utf-8")
    examples = re.findall(r"<!-- example: (\w+) -->\n```json\n(.*?)\n```", text, flags=re.S)
    assert {kind for kind, _body in examples} == {"achievement", "demand", "organization", "broker", "listing",
                                                   "statistics"}
    for kind, body in examples:
        fmt.validate_record(kind, json.loads(body))
    assert "## Peers and pulling" in text
