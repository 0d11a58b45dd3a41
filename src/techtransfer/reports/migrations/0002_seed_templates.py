from django.db import migrations

from techtransfer.reports import data


def seed(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for version, title, definition in data.TEMPLATES:
        ReportTemplate.objects.update_or_create(
            version=version, defaults={"title": title, "definition": definition, "source": data.TEMPLATE_SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
