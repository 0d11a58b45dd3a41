"""Evaluation pages under /evaluation/: rounds, a round's ranking with the decision forms, an institution's
declaration and history, and plan supervision (targets and the region's PDF brief)."""

from django.urls import path

from techtransfer.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.round_list, name="index"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/compute/", views.round_compute, name="compute"),
    path("rounds/<int:pk>/declare/<int:org_id>/", views.declaration, name="declare"),
    path("evaluations/<int:pk>/decide/", views.decide, name="decide"),
    path("institutions/<int:org_id>/", views.institution, name="institution"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("brief/<str:region>.pdf", views.brief, name="brief"),
]
