"""Export bundles for reporting upwards: the command writes a signed bundle of the period; the endpoint is for
platform administrators (everything) and region administrators (their regions) only."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command

from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.services.keys import identity
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.exchange.feedkit import every_kind
from tests.trading.conftest import tw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tw, cw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        made = every_kind(tw, cw)
        # A record of another county, outside the 五华 administrator's scope.
        made["panlong"] = tw.achievement(owner=tw.w.panlong_org)
    return made


def today() -> str:
    return datetime.date.today().isoformat()


def test_export_command_writes_a_signed_valid_bundle_with_progress(published, tmp_path, capsys):
    out = tmp_path / "bundle.json"
    call_command("exchange", "export", "--from", "2020-01-01", "--to", today(), "--output", str(out))
    printed = capsys.readouterr().out
    assert "achievement:" in printed and "statistics:" in printed and f"to {out}" in printed
    doc = json.loads(out.read_text(encoding="utf-8"))
    signing.verify_document(doc, identity().public_key)
    fmt.validate_bundle(doc)
    kinds = {i["kind"] for i in doc["items"]}
    assert {"achievement", "organization", "listing", "statistics"} <= kinds
    assert doc["regions"] is None and doc["period"] == {"from": "2020-01-01", "to": today()}


def test_export_command_period_and_kinds(published, tmp_path, capsys):
    out = tmp_path / "old.json"
    call_command(
        "exchange",
        "export",
        "--from",
        "2020-01-01",
        "--to",
        "2020-12-31",
        "--kinds",
        "achievement",
        "--output",
        str(out),
    )
    assert json.loads(out.read_text(encoding="utf-8"))["items"] == []  # nothing changed in 2020
    with pytest.raises(SystemExit) as exit_info:
        call_command("exchange", "export", "--from", "2021-02-30", "--to", today(), "--output", str(out))
    assert exit_info.value.code == 2
    assert "2021-02-30" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        call_command(
            "exchange", "export", "--from", "2020-01-01", "--to", today(), "--kinds", "patents", "--output", str(out)
        )


def test_export_endpoint_permissions_and_scope(published, world, client_for):
    url = "/api/v1/exchange/export"
    query = {"from": "2020-01-01", "to": today()}
    assert client_for().get(url, query).status_code == 401
    assert client_for(world.member).get(url, query).status_code == 403
    assert client_for(world.org_admin).get(url, query).status_code == 403
    everything = client_for(world.platform_admin).get(url, query).json()
    signing.verify_document(everything, identity().public_key)
    fmt.validate_bundle(everything)
    panlong_id = f"{identity().instance_id}/achievement/{published['panlong'].pk}"
    assert panlong_id in {i["id"] for i in everything["items"]}
    scoped = client_for(world.wuhua_admin).get(url, query).json()
    fmt.validate_bundle(scoped)
    assert scoped["regions"] == ["530102"]
    ids = {i["id"] for i in scoped["items"]}
    assert panlong_id not in ids
    assert f"{identity().instance_id}/achievement/{published['achievement'].pk}" in ids
    regions = {i["record"]["region"]["code"] for i in scoped["items"] if i["record"] and i["record"]["region"]}
    assert regions == {"530102"}
    bad = client_for(world.platform_admin).get(url, {"from": "2025-05-01", "to": "2025-04-01"})
    assert bad.status_code == 400 and bad.json()["field"] == "from"
