"""Subsidies API under /api/v1/subsidies (docs/subsidies.md): the policies, the calculator and the statistics
(``api_policies``). The claims' routes join here at merge time."""

from ninja import Router

from techtransfer.subsidies import api_policies

router = Router(tags=["subsidies"])
router.add_router("", api_policies.router)
