from django.urls import path

from techtransfer.core import metrics, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("metrics", metrics.metrics, name="metrics"),  # Prometheus; off unless TECHTRANSFER_METRICS, never public
]
