from django.db import migrations

from techtransfer.contracts import data


def seed(apps, schema_editor):
    Category = apps.get_model("contracts", "ContractCategory")
    Subcategory = apps.get_model("contracts", "ContractSubcategory")
    for position, (code, name, name_en, large_review) in enumerate(data.CATEGORIES):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position, "large_review": large_review}
        )
    for position, (code, category, name, name_en) in enumerate(data.SUBCATEGORIES):
        Subcategory.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position, "category_id": category}
        )
    for model, rows in (
        ("IPType", data.IP_TYPES),
        ("SocioEconomicObjective", data.OBJECTIVES),
        ("RefusalReason", data.REFUSAL_REASONS),
    ):
        Model = apps.get_model("contracts", model)
        # Rows may carry more columns than this migration's tables (e.g. the legal basis added later).
        for position, (code, name, name_en, *_rest) in enumerate(rows):
            Model.objects.update_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
