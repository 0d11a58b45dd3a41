"""Exchange API under /api/v1/exchange: the schema, the signed change feed and the instance's key (``api_feed``,
the root router), peers and pulls for platform administrators and the federated records (``api_peers``)."""

from techtransfer.exchange import api_feed, api_peers

router = api_feed.router
router.add_router("", api_peers.router)
