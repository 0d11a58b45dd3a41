"""Annual reports API under /api/v1/reports: filing and review (``api_filing``), credit records (``api_credit``),
summaries, exports and the filing-status board (``api_summary``)."""

from ninja import Router

from techtransfer.reports import api_credit, api_filing, api_summary

router = Router(tags=["reports"])
router.add_router("", api_filing.router)
router.add_router("", api_credit.router)
router.add_router("", api_summary.router)
