"""Errors speak French, in the DSFR page, and never show a stack trace."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from referential.models import Department

pytestmark = pytest.mark.django_db


def test_out_of_scope_page_is_a_french_404(instructor_isere):
    response = instructor_isere.get(reverse("web:department_detail", args=["69"]))
    assert response.status_code == 404
    html = unescape(response.content.decode())
    assert "Page non trouvée" in html
    assert "ne fait pas partie de votre périmètre" in html
    assert "Mon tableau de bord" in html
    assert Department.objects.get(code="69").name not in html  # nothing leaks about the object


def test_unknown_address_is_a_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = unescape(response.content.decode())
    assert "Page non trouvée" in html
    assert "Mon tableau de bord" not in html  # anonymous


def test_csrf_failure_is_explained_in_french(admin):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin.user)
    response = strict.post(reverse("web:invitation_create"), {"email": "a@b.fr"})
    assert response.status_code == 403
    assert "Formulaire expiré" in unescape(response.content.decode())
