from django.urls import path

from . import views

app_name = "trading"

urlpatterns = [
    path("", views.index, name="index"),
    path("listings/", views.listing_list, name="listings"),
    path("listings/new/", views.listing_new, name="listing_new"),
    path("listings/<int:pk>/", views.listing_detail, name="listing"),
    path("auctions/", views.auction_list, name="auctions"),
    path("auctions/new/", views.auction_new, name="auction_new"),
    path("auctions/<int:pk>/", views.auction_detail, name="auction"),
    path("auctions/<int:pk>/state.json", views.auction_state, name="auction_state"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("deals/", views.deal_list, name="deals"),
]
