"""Hardening (issue 11) in the catalog: control characters, deep JSON lines, and one set of field rules for the
importer, the API and the forms. Each regression test reproduces the exact input of the issue."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext
from openpyxl import load_workbook

from techtransfer.catalog import io as catalog_io
from techtransfer.catalog.forms import AchievementForm, DemandForm
from techtransfer.catalog.models import Achievement, Demand, Status
from techtransfer.catalog.tabular import MAX_JSON_DEPTH
from tests.catalog.test_catalog_io import HEADER, make_file

pytestmark = pytest.mark.django_db

ABSTRACT = "一种提高热稳定性的正极材料制备方法。"


def _row(**cells):
    row = dict(zip(HEADER, ["高原苹果保鲜技术", ABSTRACT, "09", 5, "transfer", "200000", "false", "", "", "",
                            "draft"], strict=True))
    row.update(cells)
    return [row[h] for h in HEADER]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])  # XML (XLSX) cannot carry a NUL at all
def test_a_nul_byte_in_an_imported_cell_is_a_row_error(world, fmt):
    """The issue's case: ``\\x00`` in a cell was stored, and every XLSX export of the row then failed."""
    rows = [_row(title="高原苹果\x00保鲜技术")]
    report = catalog_io.import_file(world.kunming_admin, Achievement, make_file(fmt, HEADER, rows), fmt,
                                    default_owner=world.wuhua_org)
    assert not report.ok and Achievement.objects.count() == 0
    (error,) = report.errors
    assert error["column"] == "title" and "U+0000" in error["problem"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "jsonl"])
def test_export_never_fails_on_control_characters_stored_before_the_rule(world, client_for, make_achievement, fmt):
    ach = make_achievement(Status.PUBLISHED)
    Achievement.objects.filter(pk=ach.pk).update(title="旧\x02数据\x1b标题", abstract="摘要\x0b" + ABSTRACT,
                                                 keywords=["键\x01词"])
    response = client_for(world.visitor).get("/api/v1/catalog/achievements/export", {"format": fmt})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        values = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
        assert "旧数据标题" in values
    else:
        text = content.decode("utf-8-sig")
        assert "旧数据标题" in text and "\x02" not in text and "\\u0002" not in text


def test_org_and_people_exports_strip_control_characters(world, client_for):
    from techtransfer.orgs.models import Organization

    Organization.objects.filter(pk=world.wuhua_org.pk).update(description="简介\x01", address="地址\x08")
    response = client_for(world.platform_admin).get("/api/v1/organizations/export", {"format": "xlsx"})
    assert response.status_code == 200
    load_workbook(io.BytesIO(response.content))


def test_a_deeply_nested_jsonl_line_is_a_row_error(world):
    """The issue's case: ``[[[[…`` in a JSONL line raised RecursionError (500)."""
    deep = "[" * 100000 + "]" * 100000
    nested = json.dumps({"title": "好标题", "abstract": ABSTRACT, "keywords": json.loads("[" * 50 + "]" * 50)})
    good = json.dumps({"title": "好标题", "abstract": ABSTRACT}, ensure_ascii=False)
    f = SimpleUploadedFile("x.jsonl", f'{good}\n{deep}\n{nested}\n{{"title": {deep}}}\n'.encode())
    report = catalog_io.import_file(world.kunming_admin, Achievement, f, "jsonl", default_owner=world.wuhua_org)
    assert not report.ok and Achievement.objects.count() == 0
    assert {e["row"] for e in report.errors} == {2, 3, 4}
    too_deep = gettext("The line nests values more than %d levels deep.") % MAX_JSON_DEPTH
    assert all(e["problem"] == too_deep for e in report.errors)


def test_a_deeply_nested_jsonl_upload_through_the_api_is_a_report_not_a_500(world, client_for):
    f = SimpleUploadedFile("x.jsonl", ("[" * 100000 + "]" * 100000 + "\n").encode())
    response = client_for(world.member).post("/api/v1/catalog/achievements/import", {"file": f})
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 1


# --- one set of field rules: importer, API and forms refuse the same values with the same message ---------------

ACHIEVEMENT_BAD = [
    ("title", "x"),
    ("abstract", "short"),
    ("title", "标题\x00"),
    ("trl", 15),
    ("trl", "七"),
    ("asking_price", "1e30"),
    ("asking_price", "-5"),
    ("asking_price", "1.234"),
    ("title", "长" * 201),
]
DEMAND_BAD = [
    ("title", "x"),
    ("problem", "short"),
    ("deadline", "2030-02-30"),
    ("budget_min", "NaN"),
    ("contact_phone", "1" * 33),
]


def _import_message(world, model, base: dict, field: str, value):
    row = {**base, field: value}
    line = json.dumps(row, ensure_ascii=False).encode()
    report = catalog_io.import_file(world.kunming_admin, model, SimpleUploadedFile("x.jsonl", line), "jsonl",
                                    default_owner=world.wuhua_org)
    assert not report.ok
    messages = [e["problem"] for e in report.errors if e["column"] == field]
    assert len(messages) == 1, report.errors
    return messages[0]


def _api_message(client, url, base: dict, field: str, value):
    response = client.post(url, json.dumps({**base, field: value}), content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == field
    return body["message"].removeprefix(f"{field}: ")


def _form_message(form_class, base: dict, field: str, value):
    form = form_class(data={**base, field: value})
    assert not form.is_valid()
    assert field in form.errors, form.errors
    return form.errors[field][0]


@pytest.mark.parametrize("field, value", ACHIEVEMENT_BAD)
def test_achievement_fields_are_refused_alike_by_importer_api_and_form(world, client_for, field, value):
    base = {"title": "高原苹果保鲜技术", "abstract": ABSTRACT}
    by_import = _import_message(world, Achievement, base, field, value)
    by_api = _api_message(client_for(world.member), "/api/v1/catalog/achievements",
                          {**base, "owner": world.wuhua_org.pk}, field, value)
    by_form = _form_message(AchievementForm, base, field, value)
    assert by_import == by_api == by_form
    assert Achievement.objects.count() == 0


@pytest.mark.parametrize("field, value", DEMAND_BAD)
def test_demand_fields_are_refused_alike_by_importer_api_and_form(world, client_for, field, value):
    base = {"title": "高原果蔬保鲜技术需求", "problem": "运输途中损耗高，需要低成本保鲜方案。"}
    by_import = _import_message(world, Demand, base, field, value)
    by_api = _api_message(client_for(world.member), "/api/v1/catalog/demands", {**base, "owner": world.wuhua_org.pk},
                          field, value)
    by_form = _form_message(DemandForm, base, field, value)
    assert by_import == by_api == by_form
    assert Demand.objects.count() == 0


def test_catalog_forms_refuse_control_characters_by_the_shared_text_rule():
    """Behind the middleware, the forms themselves read text by ``core.fields`` (a form used outside a request)."""
    from techtransfer.catalog.forms import NdaRequestForm, PackageForm

    form = NdaRequestForm(data={"purpose": "评估\x07用途"})
    assert not form.is_valid() and "U+0007" in form.errors["purpose"][0]
    form = PackageForm(data={"name": "成果包\x1f", "region": "530100", "tech_field": "05"})
    assert not form.is_valid() and "U+001F" in form.errors["name"][0]
    form = AchievementForm(data={"title": "标题", "abstract": ABSTRACT, "keywords": "电池;\x00"})
    assert not form.is_valid() and "keywords" in form.errors
