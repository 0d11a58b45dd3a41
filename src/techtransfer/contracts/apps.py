from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "techtransfer.contracts"
    verbose_name = _("Technology contracts")
    api_prefix = "/contracts"
    url_prefix = "contracts/"
    headline_figures = "techtransfer.contracts.figures:headline_figures"
