"""Bulk import (all rows or none, with a row-by-row report) and export (protected content only for those allowed)
in CSV, XLSX and JSONL; the command line; the bulk signal."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from techtransfer.audit.models import AuditEntry
from techtransfer.catalog import io as catalog_io
from techtransfer.catalog import signals
from techtransfer.catalog.models import Achievement, Demand, IPItem, Status
from techtransfer.cli import main
from tests.catalog.factories import SECRET

pytestmark = pytest.mark.django_db

HEADER = ["title", "abstract", "tech_field", "trl", "transfer_modes", "asking_price", "price_negotiable",
          "keywords", "patents", "protected_details", "status"]
GOOD = [
    ["高原苹果保鲜技术", "一种高原苹果的气调保鲜方法。", "09", 5, "transfer; licence_ordinary", "200000", "false",
     "保鲜;苹果", "ZL201710123456.0", SECRET, "draft"],
    ["光伏组件清洗机器人", "适用于高原的清洗机器人。", "06", 7, "transfer", "", "true", "", "", "", "published"],
]
BAD = [
    ["", "没有标题的行。", "09", 5, "transfer", "1", "false", "", "", "", "draft"],  # row 2: title missing
    ["价格错误", "摘要。", "99", 15, "gift", "abc", "maybe", "", "ZL201710123456.1", "", "sold"],  # row 3
    GOOD[0],
]


def make_file(fmt, header, rows):
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        w.writerows(rows)
        return SimpleUploadedFile("data.csv", buf.getvalue().encode("utf-8-sig"))
    if fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return SimpleUploadedFile("data.xlsx", buf.getvalue())
    lines = []
    for row in rows:
        obj = dict(zip(header, row, strict=True))
        for key in ("transfer_modes", "keywords", "patents"):
            obj[key] = [p.strip() for p in str(obj[key]).split(";") if p.strip()]
        lines.append(json.dumps(obj, ensure_ascii=False))
    return SimpleUploadedFile("data.jsonl", ("\n".join(lines) + "\n").encode())


@pytest.fixture
def bulk_events():
    events = []

    def listener(sender, pks, status, **kw):
        events.append((sender, list(pks), status))

    signals.records_bulk_changed.connect(listener)
    yield events
    signals.records_bulk_changed.disconnect(listener)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_import_valid_file_commits_all_rows(world, fmt, bulk_events, django_capture_on_commit_callbacks):
    f = make_file(fmt, HEADER, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        report = catalog_io.import_file(world.kunming_admin, Achievement, f, fmt, default_owner=world.wuhua_org)
    assert report.ok, report.errors
    assert report.created == 2 and report.rows == 2
    a, b = Achievement.objects.order_by("pk")
    assert a.status == Status.DRAFT and a.transfer_modes == ["transfer", "licence_ordinary"]
    assert a.keywords == ["保鲜", "苹果"] and a.protected_details == SECRET and a.trl == 5
    assert str(a.asking_price) == "200000.00"
    assert IPItem.objects.get(achievement=a).number == "ZL201710123456.0"
    assert b.status == Status.PUBLISHED and b.price_negotiable and b.published_at is not None
    assert AuditEntry.objects.filter(action="catalog.achievement.import").count() == 1
    assert sorted((e[2], e[1]) for e in bulk_events) == [("draft", [a.pk]), ("published", [b.pk])]
    assert all(e[0] is Achievement for e in bulk_events)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_import_with_errors_writes_nothing_and_reports_each_problem(world, fmt, bulk_events):
    f = make_file(fmt, HEADER, BAD)
    audit_before = AuditEntry.objects.count()
    report = catalog_io.import_file(world.kunming_admin, Achievement, f, fmt, default_owner=world.wuhua_org)
    assert not report.ok and report.created == 0
    assert Achievement.objects.count() == 0 and IPItem.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before and bulk_events == []
    first = 2 if fmt != "jsonl" else 1
    problems = {(e["row"], e["column"]) for e in report.errors}
    assert (first, "title") in problems
    for column in ("tech_field", "trl", "transfer_modes", "asking_price", "price_negotiable", "status"):
        assert (first + 1, column) in problems, (column, report.errors)
    assert not any(e["row"] == first + 2 for e in report.errors)  # the good row has no problem
    assert all(e["problem"] for e in report.errors)


def test_header_problems_and_empty_files(world):
    f = make_file("csv", ["title", "colour"], [["x", "y"]])
    report = catalog_io.import_file(world.kunming_admin, Achievement, f, "csv", default_owner=world.wuhua_org)
    problems = {(e["row"], e["column"]) for e in report.errors}
    assert (1, "colour") in problems and (1, "abstract") in problems
    report = catalog_io.import_file(world.kunming_admin, Achievement, make_file("csv", HEADER, []), "csv",
                                    default_owner=world.wuhua_org)
    assert not report.ok
    broken = SimpleUploadedFile("x.xlsx", b"not a workbook")
    report = catalog_io.import_file(world.kunming_admin, Achievement, broken, "xlsx", default_owner=world.wuhua_org)
    assert not report.ok and report.errors[0]["row"] == 0
    bad_json = SimpleUploadedFile("x.jsonl", (
        '{"title": "好标题", "abstract": "一种足够长的成果摘要。"}\n{oops\n[1]\n'.encode()))
    report = catalog_io.import_file(world.kunming_admin, Achievement, bad_json, "jsonl", default_owner=world.wuhua_org)
    assert {e["row"] for e in report.errors} == {2, 3} and Achievement.objects.count() == 0


def test_import_permissions(world, make_user):
    rows = [["成果", "一种成果的公开摘要。", "09", 5, "transfer", "1", "false", "", "", "", "draft"]]
    # A member imports drafts for its organization, not for another one.
    report = catalog_io.import_file(world.member, Achievement, make_file("csv", HEADER, rows), "csv",
                                    default_owner=world.wuhua_org)
    assert report.ok
    with pytest.raises(Exception) as exc:
        catalog_io.import_file(world.member, Achievement, make_file("csv", HEADER, rows), "csv",
                               default_owner=world.panlong_org)
    assert getattr(exc.value, "status", None) == 403
    # Only platform reviewers of the region may import straight as published.
    rows[0][-1] = "published"
    report = catalog_io.import_file(world.member, Achievement, make_file("csv", HEADER, rows), "csv",
                                    default_owner=world.wuhua_org)
    assert not report.ok and report.errors[0]["column"] == "status"
    with pytest.raises(Exception) as exc:
        catalog_io.import_file(world.panlong_admin, Achievement, make_file("csv", HEADER, rows), "csv",
                               default_owner=world.wuhua_org)
    assert getattr(exc.value, "status", None) == 403
    report = catalog_io.import_file(world.panlong_admin, Achievement,
                                    make_file("csv", [*HEADER, "owner"], [[*rows[0], world.wuhua_org.pk]]), "csv")
    assert not report.ok and report.errors[0]["column"] == "owner"
    # An owner column by credit code; an unverified owner cannot have published rows.
    header = [*HEADER, "owner"]
    rows2 = [[*rows[0], world.wuhua_pending.credit_code]]
    report = catalog_io.import_file(world.kunming_admin, Achievement, make_file("csv", header, rows2), "csv")
    assert not report.ok and report.errors[0]["column"] == "owner"
    assert Achievement.objects.count() == 1


def test_demand_import_and_export_hide_contacts(world, client_for):
    header = ["title", "problem", "tech_field", "budget_min", "budget_max", "deadline", "cooperation_modes",
              "contact_name", "contact_phone", "status"]
    rows = [["果蔬保鲜需求", "运输途中的损耗率很高。", "09", "10000", "50000", "2030-01-31", "commissioned", "王经理",
             "0871-55556666", "published"],
            ["坏需求", "预算颠倒。", "09", "9", "1", "2030-02-30", "commissioned", "", "", "draft"]]
    report = catalog_io.import_file(world.kunming_admin, Demand, make_file("csv", header, rows), "csv",
                                    default_owner=world.wuhua_org)
    problems = {(e["row"], e["column"]) for e in report.errors}
    assert (3, "deadline") in problems and Demand.objects.count() == 0
    rows[1][5] = "2030-02-28"
    report = catalog_io.import_file(world.kunming_admin, Demand, make_file("csv", header, rows), "csv",
                                    default_owner=world.wuhua_org)
    assert (3, "budget_max") in {(e["row"], e["column"]) for e in report.errors}
    report = catalog_io.import_file(world.kunming_admin, Demand, make_file("csv", header, rows[:1]), "csv",
                                    default_owner=world.wuhua_org)
    assert report.ok
    public = client_for().get("/api/v1/catalog/demands/export?format=csv")
    text = b"".join(public.streaming_content).decode("utf-8-sig")
    assert "果蔬保鲜需求" in text and "0871-55556666" not in text
    own = client_for(world.member).get("/api/v1/catalog/demands/export?format=csv")
    assert "0871-55556666" in b"".join(own.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_export_round_trips_and_hides_protected_details(world, client_for, make_achievement, fmt):
    ach = make_achievement(Status.PUBLISHED)
    make_achievement()  # a draft: not exported to the public

    def body(resp):
        return b"".join(resp.streaming_content) if resp.streaming else resp.content

    public = body(client_for().get(f"/catalog/achievements/export/?format={fmt}"))
    own = body(client_for(world.member).get(f"/catalog/achievements/export/?format={fmt}"))
    if fmt == "xlsx":
        def text(data):
            wb = load_workbook(io.BytesIO(data), read_only=True)
            return json.dumps([list(r) for r in wb.worksheets[0].iter_rows(values_only=True)], ensure_ascii=False,
                              default=str)
        public, own = text(public), text(own)
    else:
        public, own = public.decode("utf-8-sig"), own.decode("utf-8-sig")
    assert ach.title in public and SECRET not in public
    assert SECRET in own and own.count("高安全锂离子电池正极材料") == 2
    # Re-import the owner's export: the columns match the import schema.
    data = own.encode() if fmt != "xlsx" else body(client_for(world.member).get(
        f"/catalog/achievements/export/?format={fmt}"))
    if fmt == "jsonl":
        lines = [json.loads(line) for line in data.decode().splitlines()]
        for obj in lines:
            obj["status"] = "draft"  # id, region and owner_name of the export are ignored
        data = "\n".join(json.dumps(o, ensure_ascii=False) for o in lines).encode()
        report = catalog_io.import_file(world.member, Achievement, SimpleUploadedFile("x.jsonl", data), "jsonl")
        assert report.ok, report.errors
        assert Achievement.objects.filter(protected_details=SECRET).count() == 4


def test_templates_download_for_each_format(client_for):
    for kind in ("achievements", "demands"):
        for fmt in ("csv", "xlsx", "jsonl"):
            r = client_for().get(f"/catalog/{kind}/template.{fmt}")
            assert r.status_code == 200, (kind, fmt)
    csv_text = b"".join(client_for().get("/catalog/achievements/template.csv").streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0].split(",") == [c.name for c in catalog_io.ACHIEVEMENT_COLUMNS]


def test_import_page_shows_the_report(world, client_for):
    c = client_for(world.member)
    r = c.post("/catalog/achievements/import/", {"file": make_file("csv", HEADER, BAD), "owner": world.wuhua_org.pk})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="import-report"' in html and "tech_field" in html
    assert Achievement.objects.count() == 0
    r = c.post(f"/api/v1/catalog/achievements/import?owner={world.wuhua_org.pk}",
               {"file": make_file("csv", HEADER, BAD)})
    assert r.status_code == 400 and r.json()["ok"] is False and r.json()["errors"][0]["row"] == 2
    r = c.post(f"/api/v1/catalog/achievements/import?owner={world.wuhua_org.pk}",
               {"file": make_file("csv", HEADER, [GOOD[0]])})
    assert r.status_code == 200 and r.json()["created"] == 1


def test_command_line_import_and_export(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(make_file("csv", HEADER, GOOD).read())
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(make_file("jsonl", HEADER, BAD).read())
    report = tmp_path / "report.csv"
    assert main(["import", "achievements", str(bad), "--owner", str(world.wuhua_org.pk), "--quiet",
                 "--report", str(report)]) == 1
    assert "row 1, column title" in capsys.readouterr().err
    assert Achievement.objects.count() == 0 and "tech_field" in report.read_text(encoding="utf-8-sig")
    assert main(["import", "achievements", str(good), "--owner", str(world.wuhua_org.pk), "--quiet"]) == 0
    assert Achievement.objects.count() == 2
    assert main(["import", "achievements", str(good), "--quiet"]) == 1  # no owner
    out = tmp_path / "out.jsonl"
    assert main(["export", "achievements", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and SECRET not in out.read_text()  # visitor: the published one, no protected text
    assert main(["export", "achievements", str(out), "--user", "kunming_admin"]) == 0
    assert len(out.read_text().splitlines()) == 2 and SECRET in out.read_text()


def test_bulk_signal_is_sent_in_chunks(world, monkeypatch, bulk_events, django_capture_on_commit_callbacks):
    monkeypatch.setattr(catalog_io, "SIGNAL_CHUNK", 2)
    monkeypatch.setattr(catalog_io, "BATCH", 2)
    rows = [[f"成果{i}", "一种成果的公开摘要。", "09", 5, "transfer", "1", "false", "", "", "", "draft"]
            for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        report = catalog_io.import_file(None, Achievement, make_file("csv", HEADER, rows), "csv",
                                        default_owner=world.wuhua_org)
    assert report.ok and report.created == 5
    assert [len(e[1]) for e in bulk_events] == [2, 2, 1]
    assert sorted(pk for e in bulk_events for pk in e[1]) == sorted(Achievement.objects.values_list("pk", flat=True))


def test_export_includes_protected_details_after_nda_approval(world, make_user, client_for, make_achievement):
    from techtransfer.accounts.models import Role
    from techtransfer.catalog import services

    ach = make_achievement(Status.PUBLISHED)
    reader = make_user("nda_reader", Role.ORG_MEMBER, org=world.panlong_org)

    def export_text():
        resp = client_for(reader).get("/api/v1/catalog/achievements/export?format=jsonl")
        return b"".join(resp.streaming_content).decode()

    assert SECRET not in export_text()
    services.approve_nda(world.org_admin, services.request_nda(reader, ach, "评估"))
    assert SECRET in export_text()
