from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class ExchangeConfig(PlatformAppConfig):
    name = "techtransfer.exchange"
    verbose_name = _("Exchange between platforms")
    api_prefix = "/exchange"
    url_prefix = "exchange/"
    search_documents = "search"
    demo_loader = "demo.load"
    cli_commands = {"exchange": "exchange with other platforms: feed, peers, pull, export (see --help)"}
    well_known = {"techtransfer-exchange.json": "views_feed.well_known"}

    def ready(self):
        from techtransfer.exchange import receivers  # noqa: F401 - registers the outbox handlers and signals
