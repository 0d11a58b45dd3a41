from django.urls import path

from techtransfer.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export_table, name="export"),
    path("services/", views.service_statistics, name="services"),
    path("services/<int:org_id>/<int:year>/", views.service_return, name="service-return"),
]
