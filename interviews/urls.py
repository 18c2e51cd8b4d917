from django.urls import path

from interviews import views

# The pages that show other apps' panels are in the tracking app (tracking/urls.py): the
# dashboard, the applications list, the board, and the application and interview pages.
urlpatterns = [
    path("welcome/", views.welcome, name="welcome"),
    path("profile/", views.profile, name="profile"),
    path("profile/delete/", views.account_delete, name="account_delete"),
    path("goodbye/", views.account_deleted, name="account_deleted"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/status/", views.application_status, name="application_status"),
    path("applications/<int:pk>/delete/", views.application_delete, name="application_delete"),
    path(
        "applications/<int:pk>/interviews/new/",
        views.interview_create,
        name="interview_create",
    ),
    path("interviews/<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/delete/", views.interview_delete, name="interview_delete"),
    path("interviews/<int:pk>/debrief/", views.debrief, name="debrief"),
    path("compare/", views.compare, name="compare"),
    path(
        "interviews/<int:pk>/interviewers/link/", views.interviewer_link, name="interviewer_link"
    ),
    path("interviewers/<int:pk>/edit/", views.interviewer_edit, name="interviewer_edit"),
    path("interviewers/<int:pk>/delete/", views.interviewer_delete, name="interviewer_delete"),
    path("attendances/<int:pk>/edit/", views.attendance_edit, name="attendance_edit"),
    path("attendances/<int:pk>/remove/", views.attendance_remove, name="attendance_remove"),
]
