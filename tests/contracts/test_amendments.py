"""Amendments (avenants) of a CTAI (F24: "CTAI are multi-year with yearly programming; amendments
are possible"): opened by the contract's `amend`, signed by the préfet only, abandoned with a reason;
a signed amendment changes the contract's dates and the contract's history keeps both versions."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from audit.models import Event
from contracts import amendments
from contracts.enums import AmendmentState, ContractState
from contracts.models import Amendment, AmendmentTransition, Contract
from contracts.services import apply_transition, available_transitions
from programme.errors import TransitionError
from tests.contracts.conftest import make_contract
from tests.mail import recipients

pytestmark = pytest.mark.django_db
S = ContractState
A = AmendmentState

EXTENSION = {
    "reason": "Prolongation d'un an pour achever les actions logement.",
    "objects_changed": ["dates"],
    "new_effective_to": "2025-12-31",
    "new_duration_years": 4,
}


def signed_contract() -> Contract:
    return make_contract(S.SIGNED, effective_to=date(2024, 12, 31), duration_years=3, prefect_name="Laurent Prévost")


def open_extension(contract: Contract, user: Any, **changes: Any) -> Amendment:
    data = {**EXTENSION, **changes}
    apply_transition(contract=contract, name="amend", user=user, **data)
    return Amendment.objects.filter(contract=contract).order_by("-number").first()  # type: ignore[return-value]


def verbs(contract: Contract) -> list[str]:
    return list(
        Event.objects.filter(target_type__model="contract", target_id=str(contract.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_f24_amendment_drafted_then_signed_changes_the_end_date_and_the_history_keeps_both_versions(
    people: dict[str, Any],
) -> None:
    """F24: an amendment of a signed contract, drafted by the collectivité, signed by the préfet,
    moves the contract's end of effect; `Contract.history` holds the version before and after."""
    contract = signed_contract()
    agent, prefect = people["agent_own"], people["prefect_own"]
    assert "amend" in [t.name for t in available_transitions(contract, agent)]

    amendment = open_extension(contract, agent)
    assert (amendment.number, amendment.state) == (1, A.DRAFTED)
    assert amendment.objects_changed == ["dates"]
    assert amendment.summary == EXTENSION["reason"]
    assert amendment.new_effective_to == date(2025, 12, 31) and amendment.new_duration_years == 4
    contract.refresh_from_db()
    assert contract.state == S.SIGNED and contract.effective_to == date(2024, 12, 31)  # not before the signature

    signed = amendments.apply_transition(amendment=amendment, name="sign", user=prefect, signed_on="2023-06-15")
    assert signed.state == A.SIGNED and signed.signed_on == date(2023, 6, 15)
    contract.refresh_from_db()
    assert contract.effective_to == date(2025, 12, 31) and contract.duration_years == 4
    assert contract.state == S.SIGNED

    ends = [record.effective_to for record in contract.history.order_by("history_date", "history_id")]
    assert sorted(set(ends)) == [date(2024, 12, 31), date(2025, 12, 31)]  # two versions of the contract
    latest = contract.history.order_by("-history_date", "-history_id").first()
    assert latest is not None
    assert latest.history_user == prefect and latest.history_change_reason == "Avenant n° 1 signé"
    previous = latest.prev_record
    assert {c.field for c in latest.diff_against(previous).changes} == {"effective_to", "duration_years"}

    log = list(AmendmentTransition.objects.filter(amendment=amendment).values_list("transition", "source", "target"))
    assert log == [("sign", A.DRAFTED, A.SIGNED)]
    assert verbs(contract)[-2:] == ["contracts.amend", "contracts.amendment_sign"]
    amend_event = Event.objects.filter(verb="contracts.amend", target_id=str(contract.pk)).get()
    assert amend_event.details["avenant"] == "n° 1 (Dates)"


@pytest.mark.parametrize("who", ["agent_own", "agent_other", "prefect_other", "instructor", "diair", "ministry"])
def test_f24_only_the_prefect_of_the_contract_signs_an_amendment(people: dict[str, Any], who: str) -> None:
    contract = signed_contract()
    amendment = open_extension(contract, people["agent_own"])
    user = people[who]
    assert "sign" not in [t.name for t in amendments.available_transitions(amendment, user)]
    with pytest.raises(TransitionError) as refused:
        amendments.apply_transition(amendment=amendment, name="sign", user=user, signed_on="2023-06-15")
    assert refused.value.code == "not_allowed"
    amendment.refresh_from_db()
    contract.refresh_from_db()
    assert amendment.state == A.DRAFTED and contract.effective_to == date(2024, 12, 31)


def test_the_prefect_may_open_and_sign_and_numbers_follow(people: dict[str, Any]) -> None:
    contract = signed_contract()
    prefect = people["prefect_own"]
    first = open_extension(contract, prefect)
    second = open_extension(
        contract,
        people["agent_own"],
        objects_changed=["objectives", "amounts"],
        new_effective_to=None,
        new_duration_years=None,
    )
    assert (first.number, second.number) == (1, 2)
    assert second.objects_changed == ["amounts", "objectives"]
    assert [t.name for t in amendments.available_transitions(first, prefect)] == ["sign", "abandon"]


@pytest.mark.parametrize("state", [S.CONTACT, S.LETTER_RECEIVED, S.DIAGNOSIS, S.DRAFTING, S.ENDED, S.ABANDONED])
def test_f24_no_amendment_of_a_contract_that_is_not_signed(people: dict[str, Any], state: str) -> None:
    contract = make_contract(state)
    for who in ("agent_own", "prefect_own"):
        assert "amend" not in [t.name for t in available_transitions(contract, people[who])]
        with pytest.raises(TransitionError):
            apply_transition(contract=contract, name="amend", user=people[who], **EXTENSION)
    assert not Amendment.objects.filter(contract=contract).exists()


@pytest.mark.parametrize("who", ["agent_other", "prefect_other", "instructor", "diair", "ministry"])
def test_only_the_collectivite_and_its_prefect_open_an_amendment(people: dict[str, Any], who: str) -> None:
    contract = signed_contract()
    with pytest.raises(TransitionError):
        apply_transition(contract=contract, name="amend", user=people[who], **EXTENSION)
    assert not Amendment.objects.filter(contract=contract).exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"reason": " "}, "reason_required"),
        ({"objects_changed": []}, "objects_changed"),
        ({"objects_changed": ["budget"]}, "objects_changed"),
        ({"objects_changed": ["objectives"]}, "objects_changed"),  # new dates without « Dates »
        ({"new_effective_to": "2021-01-01"}, "new_effective_to"),  # before the start of effect
        ({"new_effective_to": "31/12/2025"}, "new_effective_to"),
        ({"new_duration_years": 0}, "new_duration_years"),
    ],
)
def test_amend_checks_what_changes(people: dict[str, Any], changes: dict[str, Any], code: str) -> None:
    contract = signed_contract()
    with pytest.raises(TransitionError) as refused:
        open_extension(contract, people["agent_own"], **changes)
    assert refused.value.code == code
    assert not Amendment.objects.filter(contract=contract).exists()
    assert "contracts.amend" not in verbs(contract)


def test_abandon_of_an_amendment_needs_a_reason(people: dict[str, Any]) -> None:
    contract = signed_contract()
    agent = people["agent_own"]
    amendment = open_extension(contract, agent)
    with pytest.raises(TransitionError) as refused:
        amendments.apply_transition(amendment=amendment, name="abandon", user=agent, reason="  ")
    assert refused.value.code == "reason_required"
    amendment.refresh_from_db()
    assert amendment.state == A.DRAFTED

    amendments.apply_transition(amendment=amendment, name="abandon", user=agent, reason="Le conseil a renoncé.")
    amendment.refresh_from_db()
    assert amendment.state == A.ABANDONED
    assert amendment.transitions.get().reason == "Le conseil a renoncé."
    # Abandoned: it cannot be signed any more, and the contract keeps its dates.
    with pytest.raises(TransitionError) as late:
        amendments.apply_transition(
            amendment=amendment, name="sign", user=people["prefect_own"], signed_on="2023-06-15"
        )
    assert late.value.code == "state_changed"
    contract.refresh_from_db()
    assert contract.effective_to == date(2024, 12, 31)


def test_a_double_click_signs_once(people: dict[str, Any]) -> None:
    contract = signed_contract()
    amendment = open_extension(contract, people["agent_own"])
    prefect = people["prefect_own"]
    amendments.apply_transition(amendment=amendment, name="sign", user=prefect, signed_on="2023-06-15")
    with pytest.raises(TransitionError) as again:
        amendments.apply_transition(amendment=amendment, name="sign", user=prefect, signed_on="2023-06-15")
    assert again.value.code == "state_changed"
    assert AmendmentTransition.objects.filter(amendment=amendment).count() == 1


def test_sign_needs_a_date_not_before_the_contract_and_a_contract_in_force(people: dict[str, Any]) -> None:
    contract = signed_contract()
    amendment = open_extension(contract, people["agent_own"])
    prefect = people["prefect_own"]
    for signed_on, code in ((None, "signed_on"), ("2021-01-01", "signed_on")):
        with pytest.raises(TransitionError) as refused:
            amendments.apply_transition(amendment=amendment, name="sign", user=prefect, signed_on=signed_on)
        assert refused.value.code == code
    apply_transition(contract=contract, name="end", user=prefect, reason="Fin anticipée.")
    with pytest.raises(TransitionError) as ended:
        amendments.apply_transition(amendment=amendment, name="sign", user=prefect, signed_on="2023-06-15")
    assert ended.value.code == "contract_not_in_force"
    amendment.refresh_from_db()
    assert amendment.state == A.DRAFTED


def test_f24_the_amendment_prints_to_a_real_pdf_and_its_signed_scan_comes_after_the_signature(
    people: dict[str, Any],
) -> None:
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.files import pdf_bytes

    contract = signed_contract()
    agent, prefect = people["agent_own"], people["prefect_own"]
    amendment = open_extension(contract, agent)
    document = amendments.generate_pdf(amendment=amendment, user=agent)
    content = document.file.read()
    assert content.startswith(b"%PDF-") and document.kind == "avenant"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)
    assert "Avenant n° 1" in text and "31 décembre 2025" in text and "Grenoble-Alpes-Métropole" in text
    with pytest.raises(PermissionDenied):
        amendments.generate_pdf(amendment=amendment, user=people["agent_other"])

    scan = SimpleUploadedFile("avenant-1-signe.pdf", pdf_bytes())
    with pytest.raises(PermissionDenied):  # not signed yet
        amendments.attach_signed_scan(amendment=amendment, user=prefect, uploaded_file=scan)
    amendment = amendments.apply_transition(amendment=amendment, name="sign", user=prefect, signed_on="2023-06-15")
    attached = amendments.attach_signed_scan(amendment=amendment, user=prefect, uploaded_file=scan)
    assert (attached.kind, attached.content_type) == ("avenant-signe", "application/pdf")


def test_f24_an_amendment_s_transitions_send_their_e_mails_from_the_service(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """What follows a transition is enqueued by the service itself (`contracts.tasks`), whatever the
    door: signed → the collectivité and the Diair; abandoned → the collectivité and the préfets."""
    contract = signed_contract()
    first = open_extension(contract, people["agent_own"])
    with django_capture_on_commit_callbacks(execute=True):
        amendments.apply_transition(amendment=first, name="sign", user=people["prefect_own"], signed_on="2022-09-01")
    assert recipients(mailoutbox) == {people["agent_own"].email, people["diair"].email}
    signed = mailoutbox[0]
    assert f"Avenant n° {first.number}" in signed.subject and "signé" in signed.subject
    mailoutbox.clear()
    second = open_extension(Contract.objects.get(pk=contract.pk), people["agent_own"])
    with django_capture_on_commit_callbacks(execute=True):
        amendments.apply_transition(
            amendment=second, name="abandon", user=people["prefect_own"], reason="Remplacé par l'avenant n° 1."
        )
    # The préfet who abandoned it is not told of his own act.
    assert recipients(mailoutbox) == {people["agent_own"].email}
    abandoned = mailoutbox[0]
    assert "Remplacé par l'avenant n° 1." in abandoned.body
