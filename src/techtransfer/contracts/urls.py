from django.urls import path

from techtransfer.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", views.contract_new, name="new"),
    path("queue/", views.review_queue, name="queue"),
    path("verify/", views.verify, name="verify"),
    path("screenings/", views.screening_list, name="screenings"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening"),
    path("screenings/<int:pk>/confirm/", views.screening_confirm, name="screening_confirm"),
    path("screenings/<int:pk>/licence/", views.screening_licence, name="screening_licence"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/submit/", views.contract_submit, name="submit"),
    path("<int:pk>/certify/", views.contract_certify, name="certify"),
    path("<int:pk>/refuse/", views.contract_refuse, name="refuse"),
    path("<int:pk>/return/", views.contract_return, name="return"),
    path("<int:pk>/resubmit/", views.contract_resubmit, name="resubmit"),
    path("<int:pk>/expert-review/", views.contract_expert_review, name="expert_review"),
    path("<int:pk>/amend/", views.contract_amend, name="amend"),
    path("<int:pk>/cancel/", views.contract_cancel, name="cancel"),
    path("<int:pk>/certificate/", views.contract_certificate, name="certificate"),
    path("<int:pk>/attachments/", views.attachment_add, name="attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/delete/", views.attachment_delete, name="detach"),
]
