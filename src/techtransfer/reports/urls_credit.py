"""Report pages of the deadlines area: the credit query (``reports:credit``), one organization's credit standing
(``reports:credit_org``) and the reporting rounds with their deadlines (``reports:rounds``)."""

from django.urls import path

from techtransfer.reports import views_credit as views

patterns: list = [
    path("credit/", views.credit_search, name="credit"),
    path("credit/<int:org_id>/", views.credit_org, name="credit_org"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/open/", views.round_open, name="round_open"),
]
