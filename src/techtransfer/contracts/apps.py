from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class ContractsConfig(PlatformAppConfig):
    name = "techtransfer.contracts"
    verbose_name = _("Technology contracts")
    api_prefix = "/contracts"
    url_prefix = "contracts/"
    headline_figures = "figures.headline_figures"
    demo_loader = "demo.load"
    cli_commands = {
        "contracts-summary": "check (or --rebuild) the contract statistics summary against the ledger",
        "contracts-exportcontrol": "load (or list) the export-control catalogue (prohibited and restricted technology)",
    }
