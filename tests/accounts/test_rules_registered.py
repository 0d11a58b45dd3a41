"""Every app's named permission rules are registered at start-up (core imports each ``<app>/permissions.py``)."""

import subprocess
import sys


def test_a_fresh_process_has_every_apps_rules_before_any_request():
    code = (
        "import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tests.settings');"
        "django.setup();"
        "from techtransfer.accounts.permissions import RULES;"
        "print(sorted({name.split('.')[0] for name in RULES}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    apps = ["catalog", "contracts", "evaluation", "exchange", "matching", "orgs", "people", "reports", "stats",
            "subsidies"]
    assert out.strip() == str([*apps, "trading"])
