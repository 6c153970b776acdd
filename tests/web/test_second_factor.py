"""The second factor of State agents and administrators who log in with a password (TOTP, django-otp),
recovery codes, re-authentication before sensitive pages, and State session rules.

The test settings turn SECOND_FACTOR_REQUIRED off for the other tests; every test here turns it on.
"""

from __future__ import annotations

import time
from html import unescape

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from identity import second_factor
from identity.sessions import AUTH_AT
from tests.factories import PASSWORD, grenoble_metropole, isere, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def second_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.SECOND_FACTOR_REQUIRED = True


def code_of(device: TOTPDevice, *, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def unthrottle(device: TOTPDevice) -> None:
    """django-otp delays the next try after a wrong code (1 s, doubling): the tests do not wait."""
    device.refresh_from_db()
    device.throttle_reset()


def log_in(client, user):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def test_an_instructeur_enrols_an_authenticator_at_first_log_in_and_gets_ten_recovery_codes(client) -> None:
    user = make_user(Role.INSTRUCTOR, department=isere())
    response = log_in(client, user)
    assert response["Location"] == reverse("login_second_factor")
    assert "_auth_user_id" not in client.session  # not logged in by the password alone
    response = client.get(reverse("login_second_factor"))
    assert response["Location"] == reverse("login_enrol")
    page = client.get(reverse("login_enrol"))
    html = unescape(page.content.decode())
    assert "Enregistrer votre application d'authentification" in html and "data:image/svg+xml" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert second_factor.base32_key(device).replace(" ", "") in html.replace(" ", "")

    wrong = client.post(reverse("login_enrol"), {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    unthrottle(device)
    response = client.post(reverse("login_enrol"), {"code": code_of(device)})
    assert response["Location"] == reverse("recovery_codes")
    assert client.session["_auth_user_id"] == str(user.pk)
    codes_page = unescape(client.get(reverse("recovery_codes")).content.decode())
    assert "ne seront plus affichés" in codes_page
    assert second_factor.remaining_recovery_codes(user) == 10
    # Shown once only.
    assert "ne seront plus affichés" not in unescape(client.get(reverse("recovery_codes")).content.decode())


def test_a_prefet_with_an_authenticator_logs_in_with_a_code_and_a_wrong_code_is_refused_in_french(client) -> None:
    user = make_user(Role.PREFECT, department=isere())
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in(client, user)
    refused = client.post(reverse("login_second_factor"), {"code": "12345"})
    assert refused.status_code == 400
    assert "Ce code n'est pas valable" in unescape(refused.content.decode())
    assert "_auth_user_id" not in client.session
    unthrottle(device)
    response = client.post(reverse("login_second_factor"), {"code": code_of(device)})
    assert response["Location"] == reverse("web:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_a_recovery_code_works_once(client) -> None:
    user = make_user(Role.DIAIR)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    codes = second_factor.new_recovery_codes(user=user)
    log_in(client, user)
    assert client.post(reverse("login_second_factor"), {"code": codes[0]})["Location"] == reverse("web:dashboard")
    client.logout()
    log_in(client, user)
    assert client.post(reverse("login_second_factor"), {"code": codes[0]}).status_code == 400
    assert second_factor.remaining_recovery_codes(user) == 9


def test_an_agent_de_collectivite_logs_in_with_the_password_alone(client) -> None:
    user = make_user(Role.AGENT, authority=grenoble_metropole())
    assert log_in(client, user)["Location"] == reverse("web:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_pending_second_step_expires_after_five_minutes(client) -> None:
    user = make_user(Role.MINISTRY)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in(client, user)
    session = client.session
    session["identity_pending"]["at"] = int(time.time()) - 301
    session.save()
    assert client.get(reverse("login_second_factor"))["Location"] == reverse("login")


def test_a_state_session_ends_at_browser_close_and_after_eight_hours(client) -> None:
    user = make_user(Role.INSTRUCTOR, department=isere())
    client.force_login(user)
    assert client.session.get_expire_at_browser_close()
    session = client.session
    session[AUTH_AT] = int(time.time()) - 8 * 3600 - 1
    session.save()
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_an_agents_session_keeps_djangos_ordinary_lifetime(client) -> None:
    client.force_login(make_user(Role.AGENT, authority=grenoble_metropole()))
    assert not client.session.get_expire_at_browser_close()


def test_managing_users_asks_a_state_agent_to_confirm_identity_after_fifteen_minutes(client) -> None:
    """Re-authentication before a sensitive page: an old log-in is sent to confirm, then comes back."""
    admin = make_user(Role.ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    client.force_login(admin)
    url = reverse("web:invitation_create")
    assert client.get(url).status_code == 200  # fresh log-in
    session = client.session
    session[AUTH_AT] = int(time.time()) - 16 * 60
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    confirm = reverse("reauthenticate") + f"?next={url}"
    refused = client.post(confirm, {"password": "faux", "code": code_of(device), "next": url})
    assert refused.status_code == 400 and "Mot de passe incorrect." in unescape(refused.content.decode())
    response = client.post(confirm, {"password": PASSWORD, "code": code_of(device, drift=1), "next": url})
    assert response["Location"] == url
    assert client.get(url).status_code == 200


def test_a_stale_post_to_a_money_page_is_not_taken(client) -> None:
    ministry = make_user(Role.MINISTRY)
    client.force_login(ministry)
    session = client.session
    session[AUTH_AT] = int(time.time()) - 16 * 60
    session.save()
    response = client.post(reverse("web:open_credits", args=[2021]), {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
