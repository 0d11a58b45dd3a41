"""Report pages: the summary of the accepted reports, the filing-status board and the exports."""

from django.urls import path

from techtransfer.reports import views_summary

patterns: list = [
    path("summary/", views_summary.summary, name="summary"),
    path("board/", views_summary.board, name="board"),
    path("export.<str:fmt>", views_summary.export, name="export"),
]
