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

    def ready(self):
        from django.db.models.signals import post_delete, post_save  # imported with the models, below

        from . import browse, signals  # they import models, which load only after every apps.py
        from .models import Achievement, Demand  # models load only after every apps.py

        def forget_counts(sender, **kwargs):
            browse.changed(sender)

        # The cached counts of the lists (``browse.cached_counts``) start again after any change of a record.
        for model in (Achievement, Demand):
            for signal in (post_save, post_delete, signals.records_bulk_changed, signals.record_changed):
                signal.connect(forget_counts, sender=model, weak=False,
                               dispatch_uid=f"catalog.list-counts.{signal.__class__.__name__}.{id(signal)}.{model.__name__}")
