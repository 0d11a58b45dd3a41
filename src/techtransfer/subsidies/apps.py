from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class SubsidiesConfig(PlatformAppConfig):
    name = "techtransfer.subsidies"
    verbose_name = _("Subsidies")
    api_prefix = "/subsidies"
    url_prefix = "subsidies/"
    demo_loader = "demo.load"
    cli_commands = {
        "subsidies": "subsidy policies (奖补): evaluate --policy CODE --input F (cases); "
                     "batch --policy CODE --year YYYY (a year's certified contracts)",
    }

    def ready(self) -> None:
        super().ready()
        from techtransfer.subsidies import receivers  # noqa: F401 - registers the outbox handler of contracts.changed
