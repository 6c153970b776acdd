"""Every change of business data leaves an Event; money-carrying models keep their history."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.models import User
from audit.models import Event
from referential.models import Authority, Department

pytestmark = pytest.mark.django_db


def test_change_through_django_admin_is_audited(admin_client):
    grenoble = Authority.objects.get(kind="commune", insee_code="38185")
    url = reverse("admin:referential_authority_change", args=[grenoble.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["population"] = 160000
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.for_target(grenoble).get()
    assert event.verb == "admin.changed"
    assert event.actor == User.objects.get(email="admin@example.com")


def test_timeline_shows_events_on_the_object_page(admin_client):
    from accounts.enums import Role
    from accounts.services import add_membership

    user = User.objects.get(email="admin@example.com")
    add_membership(actor=None, user=user, role=Role.ADMIN)
    isere = Department.objects.get(code="38")
    from audit.services import record_event

    record_event(actor=user, verb="referential.authority_updated", target=isere, details={"nom": "a → b"})
    html = admin_client.get(reverse("web:department_detail", args=["38"])).content.decode()
    assert "Collectivité mise à jour par l&#x27;import du référentiel" in html
    assert "Nom : a → b" in html


def _is_money(field: models.Field) -> bool:
    return isinstance(field, models.DecimalField) and any(
        word in field.name for word in ("amount", "montant", "balance", "envelope")
    )


def test_every_model_that_carries_money_keeps_its_history():
    """Guard for the finance issues: a model with an amount field must register django-simple-history."""
    assert "simple_history" in settings.INSTALLED_APPS
    assert "simple_history.middleware.HistoryRequestMiddleware" in settings.MIDDLEWARE
    from simple_history.models import registered_models

    # Copies rebuilt from the files at each publication (their amounts' history is the files').
    derived = {"public.CatalogueEntry"}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.label not in derived
        and not model._meta.label.startswith("simple_history")
        and not model.__name__.startswith("Historical")
        and any(_is_money(f) for f in model._meta.get_fields() if isinstance(f, models.Field))
        and model not in registered_models.values()
    ]
    assert missing == []
