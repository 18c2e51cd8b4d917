"""The site's URLs plus one test-only page with the Notifications page's push markup
(/tmp/contract.md's; the real page is templates/reminders' notification settings), so that
static/js/push.js is driven in Chromium without depending on that page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

PAGE = """{% extends "base.html" %}
{% block title %}Notifications{% endblock %}
{% block content %}
<h1>Notifications</h1>
<section id="this-device" data-push data-vapid-key="{{ vapid_public_key }}"
         data-subscribe-url="{% url 'push_subscribe' %}"> {% csrf_token %}
  <h2 class="h5">This device</h2>
  <button type="button" class="btn btn-primary" data-push-subscribe>Turn on for this device</button>
  <p data-push-status role="status" aria-live="polite"></p>
</section>
{% endblock %}"""


@login_required
def push_page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"vapid_public_key": settings.VAPID_PUBLIC_KEY}, request))


urlpatterns = [
    path("test-push/", push_page, name="test_push_page"),
    path("", include("followup_site.urls")),
]
