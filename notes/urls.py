from django.urls import path

from notes import views

urlpatterns = [
    # The note editor.
    path("interviews/<int:pk>/notes/", views.interview_notes, name="interview_notes"),
    path("interviews/<int:pk>/notes/start/", views.notes_start, name="notes_start"),
    path("applications/<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("notes/<int:pk>/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/coach/", views.note_coach, name="note_coach"),
    path("notes/<int:pk>/sent/", views.note_mark_sent, name="note_mark_sent"),
    path("notes/<int:pk>/another/", views.note_send_another, name="note_send_another"),
    path("notes/<int:pk>/print/", views.note_print, name="note_print"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/settings/", views.notes_settings, name="notes_settings"),
    # The brag book.
    path("brag-book/", views.brag_book, name="brag_book"),
    path("brag-book/testimonials/new/", views.testimonial_create, name="testimonial_create"),
    path("brag-book/testimonials/<int:pk>/edit/", views.testimonial_edit, name="testimonial_edit"),
    path(
        "brag-book/testimonials/<int:pk>/delete/",
        views.testimonial_delete,
        name="testimonial_delete",
    ),
    path("brag-book/achievements/new/", views.achievement_create, name="achievement_create"),
    path("brag-book/achievements/<int:pk>/edit/", views.achievement_edit, name="achievement_edit"),
    path(
        "brag-book/achievements/<int:pk>/delete/",
        views.achievement_delete,
        name="achievement_delete",
    ),
    # The value-add library.
    path("library/", views.library, name="library"),
    path("library/new/", views.resource_create, name="resource_create"),
    path("library/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("library/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
]
