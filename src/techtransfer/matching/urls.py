from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("demand/<int:pk>/", views.demand_page, name="demand"),
    path("demand/<int:pk>/open-case/", views.open_case, name="open_case"),
    path("achievement/<int:pk>/", views.achievement_page, name="achievement"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("conversion/", views.conversion_page, name="conversion"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("saved-searches/", views.save_search, name="save_search"),
    path("saved-searches/<int:pk>/delete/", views.delete_search, name="delete_search"),
]
