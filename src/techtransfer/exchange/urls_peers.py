"""Exchange pages: peer platforms (``exchange:peers``, ``exchange:peer``, forms, pull now), federated records
(``exchange:records``, ``exchange:record``) and the network statistics (``exchange:network``)."""

from django.urls import path

from techtransfer.exchange import views_peers as views

patterns: list = [
    path("peers/", views.peer_list, name="peers"),
    path("peers/new/", views.peer_form, name="peer_new"),
    path("peers/<int:pk>/", views.peer_detail, name="peer"),
    path("peers/<int:pk>/edit/", views.peer_form, name="peer_edit"),
    path("peers/<int:pk>/pull/", views.peer_pull, name="peer_pull"),
    path("peers/<int:pk>/enabled/", views.peer_enable, name="peer_enable"),
    path("records/", views.record_list, name="records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("network/", views.network_page, name="network"),
]
