"""Report pages under /reports/: summaries and the filing-status board (``urls_summary``), credit (``urls_credit``),
then filing and review (``urls_filing``, whose ``<int:pk>/`` routes come last)."""

from techtransfer.reports import urls_credit, urls_filing, urls_summary

app_name = "reports"

urlpatterns = [*urls_summary.patterns, *urls_credit.patterns, *urls_filing.patterns]
