"""URLs of the tracking pages (``views.py``), included from the site's urls.py apart from
``reminders/urls.py``, which belongs to the follow-up actions."""

from django.urls import path

from tracking import board, pages, search, views

urlpatterns = [
    path("", views.home, name="home"),
    path("ping/", views.signed_in_ping, name="signed_in_ping"),
    path("applications/", views.application_list, name="application_list"),
    path("board/", board.board, name="board"),
    path("applications/<int:pk>/move/", board.application_move, name="application_move"),
    # The application and interview pages, with every app's panels (pages.py).
    path("applications/<int:pk>/", pages.application_detail, name="application_detail"),
    path("interviews/<int:pk>/", pages.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/interviewers/add/", pages.interviewer_add, name="interviewer_add"),
    path(
        "applications/<int:pk>/timeline/",
        views.application_timeline,
        name="application_timeline",
    ),
    path("search/", search.search, name="search"),
    path("insights/", views.insights, name="insights"),
    path("data/", views.your_data, name="your_data"),
    path(
        "data/calendar/regenerate/",
        views.calendar_feed_regenerate,
        name="calendar_feed_regenerate",
    ),
    path("data/calendar/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("data/export.json", views.export_json, name="export_json"),
    path("data/export/interviewers.vcf", views.export_vcard, name="export_vcard"),
    path("data/export/<slug:kind>.csv", views.export_csv, name="export_csv"),
    path("data/import/", views.data_import, name="data_import"),
]
