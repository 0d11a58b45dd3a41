"""Subsidy pages under /subsidies/: the policies in plain language with a calculator, statistics, the export of
approved payments, the claims (``urls_claims``). Fixed routes come before ``<slug:code>/``."""

from django.urls import path

from techtransfer.subsidies import views_policies
from techtransfer.subsidies.urls_claims import claim_patterns

app_name = "subsidies"

urlpatterns = [
    path("", views_policies.index, name="index"),
    path("statistics/", views_policies.statistics, name="statistics"),
    path("payments.xlsx", views_policies.payments_export, {"fmt": "xlsx"}, name="payments_xlsx"),
    path("payments.csv", views_policies.payments_export, {"fmt": "csv"}, name="payments_csv"),
]

# The claim pages (urls_claims): before ``<slug:code>/``, which would take "claims" for a policy code.
urlpatterns += claim_patterns

urlpatterns += [
    path("<slug:code>/", views_policies.detail, name="policy"),
]
