from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class ReportsConfig(PlatformAppConfig):
    name = "techtransfer.reports"
    verbose_name = _("Annual reports and credit")
    api_prefix = "/reports"
    url_prefix = "reports/"
    demo_loader = "demo.load"
    cli_commands = {
        "reports": "annual reports (年度报告): daily [--today YYYY-MM-DD] [--json] (reminders, overdue credit records)",
    }
