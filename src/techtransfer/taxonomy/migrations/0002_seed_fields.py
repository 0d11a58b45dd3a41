from django.db import migrations

from techtransfer.taxonomy.data import TECH_FIELDS


def seed(apps, schema_editor):
    TechField = apps.get_model("taxonomy", "TechField")
    for position, (code, name, name_en) in enumerate(TECH_FIELDS):
        TechField.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                                "position": position})


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
