from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "techtransfer.catalog"
    verbose_name = _("Achievements and demands")
    api_prefix = "/catalog"
    url_prefix = "catalog/"
    headline_figures = "techtransfer.catalog.figures:headline_figures"
