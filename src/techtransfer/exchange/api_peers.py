"""Exchange API: peers."""

from ninja import Router

router = Router(tags=["exchange"])
