from django.db import migrations


def load(apps, schema_editor):
    from techtransfer.regions.services import load_table

    load_table(apps.get_model("regions", "Region"), apps.get_model("regions", "Country"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
