from django.db import migrations

from techtransfer.regions.services import load_table


def load(apps, schema_editor):
    load_table(apps.get_model("regions", "Region"), apps.get_model("regions", "Country"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
