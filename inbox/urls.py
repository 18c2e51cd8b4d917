from django.urls import path

from inbox import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("upload/", views.inbox_upload, name="inbox_upload"),
    path("<int:pk>/", views.inbox_message, name="inbox_message"),
    path("<int:pk>/act/", views.inbox_message_act, name="inbox_message_act"),
    path("<int:pk>/file/", views.inbox_message_file, name="inbox_message_file"),
    path(
        "<int:pk>/new-application/",
        views.inbox_message_new_application,
        name="inbox_message_new_application",
    ),
    path("<int:pk>/delete/", views.inbox_message_delete, name="inbox_message_delete"),
    path("clocks/", views.inbox_clocks, name="inbox_clocks"),
    path("setup/", views.inbox_setup, name="inbox_setup"),
    path("setup/address/", views.inbox_address_regenerate, name="inbox_address_regenerate"),
    path("setup/mailboxes/", views.inbox_mailbox_connect, name="inbox_mailbox_connect"),
    path("setup/mailboxes/<int:pk>/test/", views.inbox_mailbox_test, name="inbox_mailbox_test"),
    path("setup/mailboxes/<int:pk>/poll/", views.inbox_mailbox_poll, name="inbox_mailbox_poll"),
    path(
        "setup/mailboxes/<int:pk>/delete/",
        views.inbox_mailbox_delete,
        name="inbox_mailbox_delete",
    ),
]
