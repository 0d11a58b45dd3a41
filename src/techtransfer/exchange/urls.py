"""Exchange pages under /exchange/: the instance's feed and key (``urls_feed``), peers, pulls, federated records
and network statistics (``urls_peers``)."""

from techtransfer.exchange import urls_feed, urls_peers

app_name = "exchange"

urlpatterns = [*urls_feed.patterns, *urls_peers.patterns]
