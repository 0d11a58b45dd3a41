from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class SubsidiesConfig(PlatformAppConfig):
    name = "techtransfer.subsidies"
    verbose_name = _("Subsidies")
    api_prefix = "/subsidies"
    url_prefix = "subsidies/"
    cli_commands = {"subsidies": "evaluate subsidy policies (奖补) on contract cases: evaluate --policy CODE --input F"}

    def ready(self) -> None:
        super().ready()
        from techtransfer.subsidies import receivers  # noqa: F401 - registers the outbox handler of contracts.changed
