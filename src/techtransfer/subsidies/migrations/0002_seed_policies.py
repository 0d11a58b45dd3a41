from django.db import migrations
from django.utils import timezone

from techtransfer.subsidies.data import EFFECTIVE_FROM, POLICIES


def seed(apps, schema_editor):
    Policy = apps.get_model("subsidies", "Policy")
    PolicyVersion = apps.get_model("subsidies", "PolicyVersion")
    for item in POLICIES:
        fields = {k: v for k, v in item.items() if k not in ("code", "rules", "region")}
        policy, created = Policy.objects.get_or_create(code=item["code"], defaults={**fields, "region_id": item["region"]})
        if created:
            PolicyVersion.objects.create(
                policy=policy, number=1, status="published", effective_from=EFFECTIVE_FROM, rules=item["rules"],
                published_at=timezone.now(), note="shipped with the platform",
            )


def unseed(apps, schema_editor):
    apps.get_model("subsidies", "PolicyVersion").objects.filter(policy__code__in=[p["code"] for p in POLICIES]).delete()
    apps.get_model("subsidies", "Policy").objects.filter(code__in=[p["code"] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_policies")]
    operations = [migrations.RunPython(seed, unseed)]
