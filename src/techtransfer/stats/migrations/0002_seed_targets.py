"""The plan targets of domain.md §4 (the seed policies of Chongqing, Guangxi and Yunnan) as editable rows."""

from decimal import Decimal

from django.db import migrations

BN = Decimal("1000000000")
SEEDS = [
    # region, indicator, from, to, cumulative, value, source
    ("500000", "turnover", 2018, 2020, True, 50 * BN, "Chongqing plan: 3-year total turnover ≥ ¥50 bn"),
    ("500000", "demo_institutions", 2020, 2020, False, Decimal(30), "Chongqing plan: national + municipal"),
    ("500000", "maker_spaces", 2020, 2020, False, Decimal(50), "Chongqing plan"),
    ("500000", "incubators", 2020, 2020, False, Decimal(30), "Chongqing plan"),
    ("450000", "demo_institutions", 2020, 2020, False, Decimal(100), "Guangxi plan"),
    ("450000", "contracts", 2020, 2020, False, Decimal(3000), "Guangxi plan: registered contracts per year"),
    ("450000", "turnover", 2020, 2020, False, 10 * BN, "Guangxi plan: output + absorption per year ≥ ¥10 bn"),
    ("450000", "registration_points", 2020, 2020, False, Decimal(20), "Guangxi plan: ≥ 20"),
    ("450000", "registration_points", 2025, 2025, False, Decimal(30), "Guangxi plan: ≥ 30"),
    ("450000", "demo_institutions", 2025, 2025, False, Decimal(150), "Guangxi plan"),
    ("450000", "contracts", 2025, 2025, False, Decimal(5000), "Guangxi plan: registered contracts per year"),
    ("450000", "turnover", 2025, 2025, False, 16 * BN, "Guangxi plan: ≥ ¥16 bn per year"),
    ("530000", "turnover", 2020, 2020, False, 12 * BN, "Yunnan plan: ≥ ¥12 bn per year"),
    ("530000", "turnover", 2025, 2025, False, 20 * BN, "Yunnan plan: ≥ ¥20 bn per year"),
    ("530000", "demo_zones", 2020, 2020, False, Decimal(1), "Yunnan plan: 1–2 provincial zones"),
]


def load(apps, schema_editor):
    Target = apps.get_model("stats", "Target")
    for region, indicator, y0, y1, cumulative, value, source in SEEDS:
        Target.objects.get_or_create(
            region_code=region,
            indicator=indicator,
            year_from=y0,
            year_to=y1,
            defaults={"cumulative": cumulative, "value": value, "source": source},
        )


def unload(apps, schema_editor):
    apps.get_model("stats", "Target").objects.filter(source__contains="plan").delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
