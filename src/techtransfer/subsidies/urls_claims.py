"""The claim pages' routes (``subsidies:claims`` …), joined into the app's ``urls.py``."""

from django.urls import path

from techtransfer.subsidies import views_claims as views

claim_patterns = [
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/apply/", views.claim_apply, name="claim_apply"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim_approve"),
    path("claims/<int:pk>/refuse/", views.claim_refuse, name="claim_refuse"),
    path("claims/<int:pk>/pay/", views.claim_pay, name="claim_pay"),
    path("claims/contracts/<int:pk>/brokers/", views.contract_brokers, name="contract_brokers"),
]
