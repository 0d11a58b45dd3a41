"""The monthly summary gains the seller/buyer ownership dimensions (orgs.Ownership). Organizations have no
ownership yet when this runs (the field is new), so every existing event belongs under the empty key: the new rows
are copies of the output ``total`` rows."""

from django.db import migrations


def add_rows(apps, schema_editor):
    LedgerSummary = apps.get_model("contracts", "LedgerSummary")
    rows = []
    for total in LedgerSummary.objects.filter(side="o", dimension="total").iterator(chunk_size=5000):
        for dimension in ("seller_ownership", "buyer_ownership"):
            rows.append(
                LedgerSummary(
                    month=total.month, side="o", region=total.region, dimension=dimension, key="",
                    count=total.count, contract_fen=total.contract_fen, tech_fen=total.tech_fen,
                )
            )
    LedgerSummary.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def drop_rows(apps, schema_editor):
    apps.get_model("contracts", "LedgerSummary").objects.filter(
        dimension__in=("seller_ownership", "buyer_ownership")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0006_amount_line_carriers"), ("orgs", "0003_seed_ownerships")]
    operations = [migrations.RunPython(add_rows, drop_rows)]
