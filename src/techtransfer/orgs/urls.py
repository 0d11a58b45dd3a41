from django.urls import path

from techtransfer.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("export/", views.org_export, name="export"),
    path("<int:pk>/", views.org_detail, name="detail"),
]
