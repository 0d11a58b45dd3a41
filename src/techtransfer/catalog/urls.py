from django.urls import path

from techtransfer.catalog import views
from techtransfer.catalog import views_classified as classified

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("achievements/", views.achievement_list, name="achievements"),
    path("achievements/new/", views.achievement_create, name="achievement_create"),
    path("achievements/<int:pk>/", views.achievement_detail, name="achievement"),
    path("achievements/<int:pk>/edit/", views.achievement_edit, name="achievement_edit"),
    path("achievements/<int:pk>/trl/", views.achievement_trl, name="achievement_trl"),
    path("achievements/<int:pk>/ip-items/", views.ip_item_add, name="ip_item_add"),
    path("achievements/<int:pk>/ip-items/<int:item_id>/delete/", views.ip_item_delete, name="ip_item_delete"),
    path("achievements/<int:pk>/nda/", views.nda_request, name="nda_request"),
    path("achievements/<int:pk>/transition/", views.achievement_transition, name="achievement_transition"),
    path("demands/", views.demand_list, name="demands"),
    path("demands/new/", views.demand_create, name="demand_create"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/refine/", views.demand_refine, name="demand_refine"),
    path("demands/<int:pk>/transition/", views.demand_transition, name="demand_transition"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review"),
    path("nda/", views.nda_inbox, name="nda_inbox"),
    path("nda/<int:pk>/<str:decision>/", views.nda_decide, name="nda_decide"),
    path("packages/", views.package_list, name="packages"),
    path("packages/new/", views.package_create, name="package_create"),
    path("packages/<int:pk>/", views.package_detail, name="package"),
    path("packages/<int:pk>/action/", views.package_action, name="package_action"),
    # controlled dual-use information (军民两用)
    path("classified/apply/", classified.apply, name="classified_apply"),
    path("classified/mine/", classified.my_grants, name="my_grants"),
    path("classified/grants/", classified.grants, name="grants"),
    path("classified/grants/<int:pk>/", classified.grant, name="grant"),
    path("classified/grants/<int:pk>/<str:decision>/", classified.grant_decide, name="grant_decide"),
    path("classified/views/", classified.view_log, name="view_log"),
    path("classified/declassifications/", classified.declassifications, name="declassifications"),
    path("classified/declassifications/<int:pk>/<str:decision>/", classified.declassification_decide,
         name="declassification_decide"),
    path("classified/units/", classified.units, name="units"),
    path("classified/units/<int:pk>/", classified.unit_approval, name="unit_approval"),
    path("classified/<str:kind>/<int:pk>/marking/", classified.record_marking, name="record_marking"),
    path("<str:kind>/import/", views.import_page, name="import"),
    path("<str:kind>/template.<str:fmt>", views.template_download, name="template"),
    path("<str:kind>/export/", views.export_download, name="export"),
]
