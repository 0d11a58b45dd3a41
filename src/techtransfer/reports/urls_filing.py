"""Report pages: filing and review (``reports:index``, ``reports:report`` …); the ``<int:pk>/`` routes come last."""

from django.urls import path

from techtransfer.reports import views_filing as views

patterns: list = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/return/", views.return_view, name="return"),
    path("<int:pk>/accept/", views.accept, name="accept"),
]
