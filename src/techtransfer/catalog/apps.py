from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class CatalogConfig(PlatformAppConfig):
    name = "techtransfer.catalog"
    verbose_name = _("Achievements and demands")
    api_prefix = "/catalog"
    url_prefix = "catalog/"
    headline_figures = "figures.headline_figures"
    demo_loader = "demo.load"
    search_documents = "search"
    cli_commands = {
        "import": "import achievements or demands from CSV, XLSX or JSONL (all rows or none)",
        "export": "export achievements or demands to CSV, XLSX or JSONL",
        "catalog-declassify": "apply the dual-use declassifications due and notify lapsed access grants (daily)",
    }
