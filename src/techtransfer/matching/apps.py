from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class MatchingConfig(PlatformAppConfig):
    name = "techtransfer.matching"
    verbose_name = _("Supply–demand matching")
    api_prefix = "/matching"
    url_prefix = "matching/"
    demo_loader = "demo.load"
    search_url_name = "matching:search"
    status_checks = ("health.index_lag",)
    text_search = "services.lists.text_search"
    cli_commands = {
        "index": "search index: rebuild it from the database, show its status, follow the change log, list or "
                 "forget the hosts",
        "eval": "evaluate the matching engine on a retrieval test collection",
    }

    def ready(self):
        from . import receivers  # receivers import models, which load only after every apps.py

        receivers.connect()
