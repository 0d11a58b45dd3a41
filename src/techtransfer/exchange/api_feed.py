"""Exchange API: the published format, the signed change feed, the instance's key and export bundles.

The schema, the feed and the key are open to visitors (another platform reads them without an account); export
bundles are for platform and region administrators (``services.bundle``).
"""

from __future__ import annotations

from ninja import Query, Router

from techtransfer.accounts.permissions import require_signed_in
from techtransfer.core.apidoc import public
from techtransfer.exchange import format as fmt
from techtransfer.exchange.services import bundle, feed, serialize

router = Router(tags=["exchange"])


def base_url(request) -> str:
    """The address records' ``url`` start with: ``TECHTRANSFER_PUBLIC_URL``, else the request's own."""
    return serialize.public_base() or request.build_absolute_uri("/").rstrip("/")


@router.get(
    "/schema",
    summary="The exchange format: JSON Schema of feed pages, bundles and every kind of record",
    operation_id="exchange_schema",
)
@public
def schema(request):
    return fmt.schema()


@router.get(
    "/feed",
    summary="The signed change feed: records changed after the cursor, in commit order",
    operation_id="exchange_feed",
)
@public
def feed_page(request, since: str = "", limit: str = ""):
    return feed.page(since, limit, base=base_url(request))


@router.get(
    "/key",
    summary="This instance's id and Ed25519 public key (also at /.well-known/techtransfer-exchange.json)",
    operation_id="exchange_key",
)
@public
def key(request):
    return feed.key_document()


@router.get(
    "/export",
    summary="A signed export bundle of the period (records changed and statistics), for "
    "platform and region administrators",
    operation_id="exchange_export",
)
def export(request, date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to"), kinds: str = ""):
    require_signed_in(request.auth)
    return bundle.export(request.auth, date_from, date_to, kinds.split(",") if kinds else None, base=base_url(request))
