"""Annual reports API under /api/v1/reports: filing and review (``api_filing``, whose router is the root so that
``GET /api/v1/reports`` lists the reports), credit records and rounds (``api_credit``), summaries, exports and the
filing-status board (``api_summary``)."""

from techtransfer.reports import api_credit, api_filing, api_summary

router = api_filing.router
router.add_router("", api_credit.router)
router.add_router("", api_summary.router)
