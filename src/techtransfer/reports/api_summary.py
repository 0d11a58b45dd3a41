"""Reports API: summary (filled in by its area)."""

from ninja import Router

router = Router(tags=["reports"])
