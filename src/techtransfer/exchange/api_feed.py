"""Exchange API: feed."""

from ninja import Router

router = Router(tags=["exchange"])
