"""Exchange pages: this instance's feed and key (``/exchange/``)."""

from django.urls import path

from techtransfer.exchange import views_feed

patterns: list = [
    path("", views_feed.index, name="index"),
]
