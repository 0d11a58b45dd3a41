"""The importer's fast path (rows built from a template instead of ``Model.__init__``, ``clean_fields`` skipped
for the fields the column conversion already checks) writes exactly the rows and refuses exactly the rows the
plain path does: every field ``clean_fields`` runs and every ``Model()`` built as before."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techtransfer.catalog import io as catalog_io
from techtransfer.catalog.models import Achievement, Demand, IPItem
from tests.catalog.test_catalog_io import make_file

pytestmark = pytest.mark.django_db

A_HEADER = [
    "title",
    "title_en",
    "abstract",
    "abstract_en",
    "keywords",
    "tech_field",
    "industry_codes",
    "ipc_codes",
    "trl",
    "transfer_modes",
    "asking_price",
    "price_negotiable",
    "public_funding",
    "dual_use",
    "protected_details",
    "patents",
    "status",
    "classification",
]
A_GOOD = [
    [
        "高原苹果保鲜技术",
        "Apple preservation",
        "一种高原苹果的气调保鲜方法，损耗低。",
        "A controlled-atmosphere method.",
        "保鲜;苹果",
        "09",
        "C3841",
        "H01M 10/0525",
        5,
        "transfer;licence_ordinary",
        "200000.5",
        "false",
        "省科技厅重点研发计划",
        "false",
        "配方细节",
        "ZL201710123456.0",
        "draft",
        "public",
    ],
    [
        "光伏组件清洗机器人",
        "",
        "适用于高原的光伏组件清洗机器人。",
        "",
        "",
        "06",
        "",
        "",
        7,
        "transfer",
        "",
        "true",
        "",
        "true",
        "",
        "",
        "published",
        "",
    ],
    [
        "  锂电池正极材料  ",
        "Cathode",
        "一种提高热稳定性的正极材料制备方法。",
        "",
        "锂电池；正极材料|热稳定",
        "05",
        "",
        "H01M 4/36;H01M 10/0525",
        9,
        "equity",
        "¥1,200",
        "no",
        "",
        "0",
        "",
        "CN201810123456.5",
        "draft",
        "public",
    ],
]
A_BAD = [
    [
        "甲" * 201,
        "",
        "一种足够长的成果摘要内容。",
        "",
        "",
        "09",
        "",
        "",
        5,
        "transfer",
        "1",
        "false",
        "",
        "",
        "",
        "",
        "draft",
        "",
    ],  # title too long
    [
        "乙",
        "",
        "一种足够长的成果摘要内容。",
        "",
        "",
        "09",
        "",
        "",
        5,
        "transfer",
        "1",
        "false",
        "",
        "",
        "",
        "",
        "draft",
        "",
    ],  # title too short
    [
        "控制\x01字符",
        "x" * 301,
        "短",
        "y" * 20001,
        "",
        "09",
        "",
        "",
        0,
        "transfer",
        "-1",
        "false",
        "p" * 201,
        "",
        "",
        "",
        "draft",
        "",
    ],
    [
        "价格错误的成果",
        "",
        "一种足够长的成果摘要内容。",
        "",
        "",
        "09",
        "",
        "",
        10,
        "transfer",
        "1.005",
        "maybe",
        "",
        "2",
        "",
        "",
        "draft",
        "bogus",
    ],
    [
        "价格太大的成果",
        "",
        "一种足够长的成果摘要内容。",
        "",
        "",
        "09",
        "C99999x",
        "not-an-ipc",
        "3.5",
        "gift",
        "1e13",
        "false",
        "",
        "",
        "z" * 50001,
        "ZL201710123456.1",
        "draft",
        "secret",
    ],
    [
        "既议价又标价",
        "",
        "一种足够长的成果摘要内容。",
        "",
        "",
        "09",
        "",
        "",
        "x",
        "transfer",
        "5000",
        "true",
        "",
        "",
        "",
        "",
        "published",
        "",
    ],
    A_GOOD[0],
]
D_HEADER = [
    "title",
    "title_en",
    "problem",
    "problem_en",
    "target_indicators",
    "keywords",
    "tech_field",
    "budget_min",
    "budget_max",
    "deadline",
    "cooperation_modes",
    "contact_name",
    "contact_phone",
    "contact_email",
    "status",
    "classification",
]
D_GOOD = [
    [
        "高原果蔬保鲜技术需求",
        "Preservation",
        "运输途中损耗高，需要低成本保鲜方案。",
        "",
        "损耗率低于 5%",
        "保鲜;果蔬",
        "09",
        "100000",
        "500000",
        "2027-06-30",
        "commissioned",
        "李经理",
        "0871-12345678",
        "li@example.com",
        "draft",
        "public",
    ],
]
D_BAD = [
    [
        "需求",
        "t" * 301,
        "太短",
        "",
        "i" * 5001,
        "",
        "09",
        "-5",
        "1.001",
        "2027-13-01",
        "bribe",
        "n" * 65,
        "1" * 33,
        "not-an-email",
        "draft",
        "bogus",
    ],
    D_GOOD[0],
]


@pytest.fixture
def plain_path(monkeypatch):
    """Switch the importer to the plain path: ``Model()`` for every row and ``clean_fields`` on every field."""

    def use():
        monkeypatch.setattr(catalog_io, "_implied", lambda model, columns: set())
        monkeypatch.setattr(catalog_io, "_new_instance", lambda model: model())

    return use


def _rows(model):
    skip = {"id", "created_at", "updated_at"}
    out = []
    for obj in model.objects.order_by("pk"):
        row = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname not in skip}
        for stamp in ("submitted_at", "published_at"):  # the moment of the import: whether it is set, and alike
            row[stamp] = row[stamp] is not None and row[stamp] == obj.submitted_at
        if model is Achievement:
            row["ip_items"] = [
                {
                    f.attname: getattr(i, f.attname)
                    for f in IPItem._meta.concrete_fields
                    if f.attname not in ("id", "achievement_id")
                }
                for i in IPItem.objects.filter(achievement=obj).order_by("pk")
            ]
        out.append(row)
    return out


def _import(world, model, fmt, header, rows):
    f = make_file(fmt, header, rows) if fmt == "csv" else _jsonl(header, rows)
    return catalog_io.import_file(None, model, f, fmt, default_owner=world.wuhua_org, filename=f"x.{fmt}")


def _jsonl(header, rows):
    lists = {"keywords", "industry_codes", "ipc_codes", "transfer_modes", "patents", "cooperation_modes"}
    lines = []
    for row in rows:
        obj = dict(zip(header, row, strict=True))
        for key in lists & set(obj):
            obj[key] = [p for p in str(obj[key]).replace("；", ";").replace("|", ";").split(";") if p.strip()]
        lines.append(json.dumps(obj, ensure_ascii=False))
    return SimpleUploadedFile("x.jsonl", ("\n".join(lines) + "\n").encode())


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize(("model", "header", "good"), [(Achievement, A_HEADER, A_GOOD), (Demand, D_HEADER, D_GOOD)])
def test_fast_path_writes_the_same_rows_field_by_field(world, plain_path, fmt, model, header, good):
    report = _import(world, model, fmt, header, good)
    assert report.ok, report.errors
    fast = _rows(model)
    assert len(fast) == len(good)
    model.objects.all().delete()
    plain_path()
    report = _import(world, model, fmt, header, good)
    assert report.ok, report.errors
    assert _rows(model) == fast
    if model is Achievement:
        assert sum(len(r["ip_items"]) for r in fast) == 2


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize(("model", "header", "bad"), [(Achievement, A_HEADER, A_BAD), (Demand, D_HEADER, D_BAD)])
def test_fast_path_refuses_the_same_rows_with_the_same_messages(world, plain_path, fmt, model, header, bad):
    fast = _import(world, model, fmt, header, bad)
    assert not fast.ok and fast.created == 0 and model.objects.count() == 0
    first = 2 if fmt == "csv" else 1
    assert {e["row"] for e in fast.errors} == set(range(first, first + len(bad) - 1))  # all but the good row
    plain_path()
    plain = _import(world, model, fmt, header, bad)
    assert fast.as_dict() == plain.as_dict()


def test_the_checks_left_out_are_only_those_the_conversion_makes():
    columns = {c.name: c for c in catalog_io.COLUMNS[Achievement]}
    implied = catalog_io._implied(Achievement, columns)
    assert {"title", "abstract", "trl", "asking_price", "keywords"} <= implied
    assert "classification" not in implied  # choices: still checked by the model field
    demand = catalog_io._implied(Demand, {c.name: c for c in catalog_io.COLUMNS[Demand]})
    assert "contact_email" not in demand and "deadline" not in demand
