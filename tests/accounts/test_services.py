"""Memberships, scopes and invitations, at the service level."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services
from accounts.enums import Role
from accounts.models import Invitation, Membership, User
from audit.models import Event
from referential.enums import AuthorityKind
from referential.models import Authority, Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def isere():
    return Department.objects.get(code="38")


@pytest.fixture
def rhone():
    return Department.objects.get(code="69")


@pytest.fixture
def admin_user():
    user = User.objects.create_user("admin@example.gouv.fr", "motdepasse-solide-2026")
    services.add_membership(actor=None, user=user, role=Role.ADMIN)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def prefect_isere(isere):
    user = User.objects.create_user("prefet@isere.gouv.fr", "motdepasse-solide-2026")
    services.add_membership(actor=None, user=user, role=Role.PREFECT, department=isere)
    return User.objects.get(pk=user.pk)


def test_scope_gathers_every_membership(isere, rhone):
    user = User.objects.create_user("double@example.gouv.fr")
    services.add_membership(actor=None, user=user, role=Role.INSTRUCTOR, department=isere)
    grenoble = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="38185")
    services.add_membership(actor=None, user=user, role=Role.AGENT, authority=grenoble)
    user = User.objects.get(pk=user.pk)
    assert user.scope.department_ids == {isere.pk}
    assert user.scope.authority_ids == {grenoble.pk}
    assert not user.scope.national
    assert user.roles == {Role.INSTRUCTOR, Role.AGENT}


def test_database_refuses_a_scope_that_does_not_fit_the_role(isere):
    user = User.objects.create_user("x@example.gouv.fr")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.INSTRUCTOR)  # an instructeur needs a département
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DIAIR, department=isere)  # the Diair is national


def test_same_role_twice_in_the_same_scope_is_refused_in_french(isere):
    user = User.objects.create_user("y@example.gouv.fr")
    services.add_membership(actor=None, user=user, role=Role.INSTRUCTOR, department=isere)
    with pytest.raises(ValidationError, match="déjà ce rôle"):
        services.add_membership(actor=None, user=user, role=Role.INSTRUCTOR, department=isere)


def test_invitation_sends_a_link_after_commit_and_records_an_event(
    admin_user, isere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invite(
            actor=admin_user, email="Julie.Moreau@Isere.gouv.fr", role=Role.INSTRUCTOR, department=isere
        )
    assert invitation.email == "julie.moreau@isere.gouv.fr"
    assert invitation.token_hash != token  # only the hash is stored
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["julie.moreau@isere.gouv.fr"]
    assert f"/invitation/{token}/" in message.body
    assert "instructeur" in message.body
    assert Event.objects.for_target(invitation).get().verb == "accounts.invitation_sent"


def test_accepting_creates_the_account_with_its_role(admin_user, isere):
    invitation, token = services.invite(
        actor=admin_user, email="new@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere
    )
    found = services.find_invitation(token)
    assert found == invitation
    user = services.accept_invitation(invitation=found, password="un-mot-de-passe-solide", first_name="Léa")
    assert user.check_password("un-mot-de-passe-solide")
    assert user.first_name == "Léa"
    assert list(user.memberships.values_list("role", "department__code")) == [(Role.INSTRUCTOR, "38")]
    invitation.refresh_from_db()
    assert invitation.status == "acceptée"
    with pytest.raises(ValidationError, match="n'est plus valable"):
        services.accept_invitation(invitation=invitation, password="un-autre-mot-de-passe")


def test_expired_invitation_cannot_be_used(admin_user, isere):
    invitation, _ = services.invite(
        actor=admin_user, email="late@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()
    assert invitation.status == "expirée"
    with pytest.raises(ValidationError, match="expirée"):
        services.accept_invitation(invitation=invitation, password="un-mot-de-passe-solide")
    assert not User.objects.filter(email="late@isere.gouv.fr").exists()


def test_invitation_to_an_existing_person_adds_the_role(admin_user, isere, rhone):
    person = User.objects.create_user("agent@example.gouv.fr", "ancien-mot-de-passe-long")
    services.add_membership(actor=None, user=person, role=Role.INSTRUCTOR, department=rhone)
    invitation, _ = services.invite(
        actor=admin_user, email="agent@example.gouv.fr", role=Role.INSTRUCTOR, department=isere
    )
    user = services.accept_invitation(invitation=invitation, password=None)
    assert user.pk == person.pk
    assert set(user.memberships.values_list("department__code", flat=True)) == {"38", "69"}


def test_prefect_invites_within_his_departement_only(prefect_isere, isere, rhone):
    services.invite(actor=prefect_isere, email="i1@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere)
    voiron = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="38563")
    services.invite(actor=prefect_isere, email="agent@voiron.fr", role=Role.AGENT, authority=voiron)
    with pytest.raises(PermissionDenied):
        services.invite(actor=prefect_isere, email="i2@rhone.gouv.fr", role=Role.INSTRUCTOR, department=rhone)
    with pytest.raises(PermissionDenied):
        services.invite(actor=prefect_isere, email="diair@interieur.gouv.fr", role=Role.DIAIR)
    lyon = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="69123")
    with pytest.raises(PermissionDenied):
        services.invite(actor=prefect_isere, email="agent@lyon.fr", role=Role.AGENT, authority=lyon)
    assert Invitation.objects.count() == 2


def test_revoked_invitation_is_refused(admin_user, isere):
    invitation, token = services.invite(
        actor=admin_user, email="r@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere
    )
    services.revoke_invitation(actor=admin_user, invitation=invitation)
    assert services.find_invitation(token).status == "annulée"
    with pytest.raises(ValidationError):
        services.revoke_invitation(actor=admin_user, invitation=invitation)


def test_admin_cannot_deactivate_himself_and_events_are_written(admin_user, isere):
    other = User.objects.create_user("o@example.gouv.fr")
    services.set_user_active(actor=admin_user, user=other, active=False)
    other.refresh_from_db()
    assert not other.is_active
    assert Event.objects.for_target(other).get().verb == "accounts.user_deactivated"
    with pytest.raises(ValidationError, match="propre compte"):
        services.set_user_active(actor=admin_user, user=admin_user, active=False)


def test_removing_a_membership_is_audited(admin_user, isere):
    person = User.objects.create_user("p@example.gouv.fr")
    membership = services.add_membership(actor=admin_user, user=person, role=Role.INSTRUCTOR, department=isere)
    services.remove_membership(actor=admin_user, membership=membership)
    verbs = list(Event.objects.for_target(person).order_by("pk").values_list("verb", flat=True))
    assert verbs == ["accounts.membership_added", "accounts.membership_removed"]
    last = Event.objects.for_target(person).order_by("pk").last()
    assert last.actor == admin_user
    assert last.details == {"rôle": "Instructeur", "périmètre": "Isère (38)"}


def test_audit_events_are_never_modified(admin_user):
    event = Event.objects.first()
    event.verb = "tampered"
    with pytest.raises(ValueError, match="never modified"):
        event.save()
