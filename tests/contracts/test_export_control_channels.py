"""Export control through its channels: the catalogue loader command (all or nothing), the API (4xx on bad input,
403 to those who may not confirm), the pages (the panel on the contract, the reviewers' queue) and the back office."""

from __future__ import annotations

import json

import pytest

from techtransfer.cli import main
from techtransfer.contracts.models import (
    ControlStatus,
    ExportControlEdition,
    ExportControlItem,
    Screening,
)
from techtransfer.contracts.services import exportcontrol
from tests.contracts.test_export_control import FOREIGN_BUYER, catalogue, screening_of  # noqa: F401

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- the loader command ---


def test_load_the_shipped_sample_and_reload_idempotently(capsys):
    assert main(["contracts-exportcontrol", "load", "--sample"]) == 0
    edition = ExportControlEdition.objects.get()
    assert edition.effective_on.isoformat() == "2023-12-21" and "2023" in edition.notice
    items = ExportControlItem.objects.filter(edition=edition)
    assert 5 <= items.count() <= 10
    assert items.filter(status=ControlStatus.PROHIBITED).exists() and items.filter(status=ControlStatus.RESTRICTED)
    assert items.get(number="050304J").status == ControlStatus.PROHIBITED
    assert "6 items created" in capsys.readouterr().out
    assert main(["contracts-exportcontrol", "load", "--sample"]) == 0
    assert "0 items created, 6 updated" in capsys.readouterr().out
    assert ExportControlItem.objects.count() == 6
    assert main(["contracts-exportcontrol", "list"]) == 0
    assert "2 prohibited, 4 restricted" in capsys.readouterr().out


def test_bad_file_is_a_clear_error_and_loads_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "techtransfer.exportcontrol/1",
                "edition": {"name": "坏目录", "notice": "测试公告"},
                "items": [
                    {"number": "000001J", "name": "好条目", "status": "prohibited"},
                    {"number": "000002X", "name": "", "status": "forbidden", "keywords": "not a list"},
                    {"number": "000001J", "name": "重复", "status": "restricted"},
                ],
            }
        ),
        encoding="utf-8",
    )
    assert main(["contracts-exportcontrol", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing loaded" in err and "items[2].status" in err and "items[2].name" in err
    assert "items[2].keywords" in err and "重复出现" in err
    assert not ExportControlEdition.objects.exists() and not ExportControlItem.objects.exists()
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops", encoding="utf-8")
    assert main(["contracts-exportcontrol", "load", str(not_json)]) == 1
    assert "不是 JSON 文件" in capsys.readouterr().err
    assert main(["contracts-exportcontrol", "load", str(tmp_path / "missing.json")]) == 2
    assert main(["contracts-exportcontrol", "load"]) == 2
    assert not ExportControlEdition.objects.exists()


def test_edition_option_names_the_edition_and_missing_items_are_deactivated(tmp_path):
    doc = {
        "format": "techtransfer.exportcontrol/1",
        "edition": {"name": "目录", "notice": "文件里的公告"},
        "items": [
            {"number": "000001J", "name": "甲", "status": "prohibited"},
            {"number": "000002X", "name": "乙", "status": "restricted"},
        ],
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["contracts-exportcontrol", "load", str(path), "--edition", "公告2023年第57号"]) == 0
    assert ExportControlEdition.objects.get().notice == "公告2023年第57号"
    doc["items"].pop()
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["contracts-exportcontrol", "load", str(path), "--edition", "公告2023年第57号"]) == 0
    assert not ExportControlItem.objects.get(number="000002X").active
    assert [i.number for i in exportcontrol.active_items()] == ["000001J"]


# --- the API ---


def test_api_screening_read_confirm_and_licence(cw, catalogue, client_for):  # noqa: F811
    contract = cw.submitted(buyer=FOREIGN_BUYER, technical_summary="个性化推荐系统与推荐算法开发。")
    s = screening_of(contract)
    seller = client_for(cw.w.member)
    body = seller.get(f"/api/v1/contracts/{contract.pk}/screening").json()
    assert body["proposed_outcome"] == "restricted" and body["matches"][0]["number"] == "086501X"
    # members of the seller and reviewers of other points may not confirm
    assert post(seller, f"/api/v1/contracts/screenings/{s.pk}/confirm", {}).status_code == 403
    assert post(client_for(cw.qujing_reviewer), f"/api/v1/contracts/screenings/{s.pk}/confirm", {}).status_code == 404
    reviewer = client_for(cw.reviewer)
    assert [x["id"] for x in reviewer.get("/api/v1/contracts/screenings?awaiting=true").json()["items"]] == [s.pk]
    for bad, status in (
        ({"outcome": "maybe"}, 422),
        ({"items": ["x"]}, 422),
        ({"surprise": 1}, 422),
        ({"outcome": "restricted", "items": [catalogue.prohibited.pk]}, 400),
        ({"outcome": "prohibited", "items": [catalogue.prohibited.pk]}, 400),
        ({"items": [99999], "reason": "x"}, 400),
    ):
        r = post(reviewer, f"/api/v1/contracts/screenings/{s.pk}/confirm", bad)
        assert r.status_code == status, (bad, r.content)
        assert {"code", "message", "field"} <= set(r.json())
    assert not Screening.objects.get(pk=s.pk).confirmed
    r = post(reviewer, f"/api/v1/contracts/screenings/{s.pk}/confirm", {})
    assert r.status_code == 200 and r.json()["outcome"] == "restricted" and r.json()["items"] == ["086501X"]
    assert post(reviewer, f"/api/v1/contracts/screenings/{s.pk}/confirm", {}).status_code == 409
    certify = {"category": contract.category_id, "subcategory": contract.subcategory_id}
    r = post(reviewer, f"/api/v1/contracts/{contract.pk}/certify", certify)
    assert r.status_code == 409 and r.json()["code"] == "export_licence_required"
    assert post(seller, f"/api/v1/contracts/screenings/{s.pk}/licence", {"licence_number": "1"}).status_code == 422
    r = post(seller, f"/api/v1/contracts/screenings/{s.pk}/licence", {"licence_number": "2024XK0001"})
    assert r.status_code == 200 and r.json()["licence_number"] == "2024XK0001"
    r = post(reviewer, f"/api/v1/contracts/{contract.pk}/certify", certify)
    assert r.status_code == 200 and "2024XK0001" in r.json()["conditions"]


def test_api_catalogue_is_public_and_visitors_see_no_screenings(cw, catalogue, client_for):  # noqa: F811
    items = client_for().get("/api/v1/contracts/export-control/items").json()
    assert {i["number"] for i in items} == {"050304J", "086501X"}  # the inactive item is left out
    contract = cw.submitted(buyer=FOREIGN_BUYER)
    s = screening_of(contract)
    assert client_for().get(f"/api/v1/contracts/screenings/{s.pk}").status_code in (401, 404)
    assert client_for(cw.w.visitor).get(f"/api/v1/contracts/screenings/{s.pk}").status_code == 404
    assert client_for(cw.w.visitor).get("/api/v1/contracts/screenings").json()["count"] == 0
    assert client_for(cw.w.member).get(f"/api/v1/contracts/{cw.submitted().pk}/screening").status_code == 404


# --- pages and back office ---


def test_pages_panel_queue_and_confirmation(cw, catalogue, client_for):  # noqa: F811
    contract = cw.submitted(buyer=FOREIGN_BUYER, technical_summary="向境外提供蚕遗传资源。")
    s = screening_of(contract)
    seller_html = client_for(cw.w.member).get(f"/contracts/{contract.pk}/").content.decode()
    assert 'data-testid="screening"' in seller_html and "050304J" in seller_html
    assert 'data-testid="screening-confirm"' not in seller_html
    reviewer = client_for(cw.reviewer)
    queue = reviewer.get("/contracts/screenings/").content.decode()
    assert 'data-testid="screening-queue"' in queue and f"/contracts/screenings/{s.pk}/" in queue
    assert 'class="empty"' in client_for(cw.qujing_reviewer).get("/contracts/screenings/").content.decode()
    assert client_for(cw.w.member).post(f"/contracts/screenings/{s.pk}/confirm/", {}).status_code in (403, 302)
    assert not Screening.objects.get(pk=s.pk).confirmed
    r = reviewer.post(f"/contracts/screenings/{s.pk}/confirm/", {"outcome": "free", "reason": ""})
    assert r.status_code == 400 and "reason" in r.content.decode()
    r = reviewer.post(
        f"/contracts/screenings/{s.pk}/confirm/", {"outcome": "prohibited", "items": [catalogue.prohibited.pk]}
    )
    assert r.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "refused"
    html = reviewer.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'data-testid="screening-outcome"' in html and "export_prohibited" not in html
    assert 'data-testid="refusal-reasons"' in html


def test_back_office_edits_the_catalogue(cw, catalogue, client_for):  # noqa: F811
    admin = cw.w.platform_admin
    admin.is_staff = True
    admin.save()
    c = client_for(admin)
    html = c.get("/admin/contracts/exportcontrolitem/").content.decode()
    assert "050304J" in html
    assert c.get(f"/admin/contracts/exportcontroledition/{catalogue.edition.pk}/change/").status_code == 200
    cw.w.wuhua_admin.is_staff = True
    cw.w.wuhua_admin.save()
    assert client_for(cw.w.wuhua_admin).get("/admin/contracts/exportcontrolitem/").status_code == 403
