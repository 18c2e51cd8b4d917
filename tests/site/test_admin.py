"""Django admin: every model of the project's apps is registered and its list page loads."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

PROJECT_MODELS = [
    model
    for label in ("interviews", "notes", "inbox", "reminders", "tracking")
    for model in apps.get_app_config(label).get_models()
]


def test_every_project_model_is_registered_in_the_admin():
    missing = [model.__name__ for model in PROJECT_MODELS if model not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model.__name__)
def test_admin_list_page_loads_for_every_model(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
