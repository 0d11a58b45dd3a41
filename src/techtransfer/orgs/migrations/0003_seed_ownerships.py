from django.db import migrations

from techtransfer.orgs import data


def seed(apps, schema_editor):
    Ownership = apps.get_model("orgs", "Ownership")
    for position, (code, name, name_en, state_owned) in enumerate(data.OWNERSHIPS):
        Ownership.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "position": position, "state_owned": state_owned},
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_ownership")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
