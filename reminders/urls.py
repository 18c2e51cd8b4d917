from django.urls import path, register_converter

from reminders import channel_views, views
from reminders.links import ACTIONS


class ActionConverter:
    regex = "|".join(ACTIONS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ActionConverter, "followup_action")

urlpatterns = [
    path(
        "followups/<int:pk>/<followup_action:action>/",
        views.followup_action,
        name="followup_action",
    ),
    path("followups/<int:pk>/undo/", views.followup_undo, name="followup_undo"),
    path("r/<followup_action:action>/<str:token>/", views.followup_link, name="followup_link"),
    path("r/push/", views.push_action, name="push_action"),
    path("reminders/push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("reminders/push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
    path("r/unsubscribe/<str:token>/", views.unsubscribe, name="reminders_unsubscribe"),
    path("reminders/settings/", views.reminder_settings, name="reminder_settings"),
    # Where reminders go, and when (reminders/channel_views.py).
    path("settings/notifications/", channel_views.notification_settings,
         name="notification_settings"),
    path("settings/notifications/devices/<int:pk>/switch/", channel_views.push_device_switch,
         name="push_device_switch"),
    path("settings/notifications/devices/<int:pk>/remove/", channel_views.push_device_remove,
         name="push_device_remove"),
    path("settings/notifications/apprise/add/", channel_views.apprise_add, name="apprise_add"),
    path("settings/notifications/apprise/<int:pk>/switch/", channel_views.apprise_switch,
         name="apprise_switch"),
    path("settings/notifications/apprise/<int:pk>/test/", channel_views.apprise_test,
         name="apprise_test"),
    path("settings/notifications/apprise/<int:pk>/remove/", channel_views.apprise_remove,
         name="apprise_remove"),
]
