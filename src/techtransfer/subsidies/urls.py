"""Subsidy pages under /subsidies/: the policies in plain language with a calculator, statistics, the export of
approved payments. Fixed routes come before ``<slug:code>/``."""

from django.urls import path

from techtransfer.subsidies import views_policies

app_name = "subsidies"

urlpatterns = [
    path("", views_policies.index, name="index"),
    path("statistics/", views_policies.statistics, name="statistics"),
    path("payments.xlsx", views_policies.payments_export, {"fmt": "xlsx"}, name="payments_xlsx"),
    path("payments.csv", views_policies.payments_export, {"fmt": "csv"}, name="payments_csv"),
]

# --- claims pages (urls_claims.claim_patterns) ---------------------------------------------------------------------
# The lead adds here, at merge time:  urlpatterns += claim_patterns
# (``from techtransfer.subsidies.urls_claims import claim_patterns``); they must stay before ``<slug:code>/``.
# ---------------------------------------------------------------------------------------------------------------------

urlpatterns += [
    path("<slug:code>/", views_policies.detail, name="policy"),
]
