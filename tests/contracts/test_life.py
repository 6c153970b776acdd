"""The life of a CTAI (F10, F11, F12, F16, F17, F18, F19, F20, F21, F42): from contact to signed, the
coordinator the collectivité MAY name (F20), the widening of a CTAIR signed or in negotiation (F16)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import Role
from audit.models import Event
from contracts.enums import ContractKind, ContractState, CoordinatorStatus
from contracts.models import Contract, ContractTransition, Diagnosis
from contracts.services import (
    apply_transition,
    available_transitions,
    create_contract,
    record_coordinator,
    save_diagnosis,
)
from programme.errors import TransitionError
from programme.models import Campaign
from programme.services import lifted_for, record_derogation
from projects.errors import TransitionError as ProjectTransitionError
from tests.contracts.conftest import (
    DIAGNOSIS,
    PERSONAS,
    SIGN_DATA,
    SIGN_DATA_WITHOUT_COORDINATOR,
    campaign,
    make_contract,
    make_ctair,
)
from tests.factories import commune, grenoble_metropole, make_user, metropole_de_lyon
from tests.mail import recipients

pytestmark = pytest.mark.django_db
S = ContractState
GRENOBLE = "38185"


def events(contract: Contract) -> list[str]:
    return list(
        Event.objects.filter(target_id=str(contract.pk), target_type__model="contract")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_transition_error_is_one_class_for_ptai_and_ctai():
    assert ProjectTransitionError is TransitionError


def test_f17_f19_f21_life_of_a_ctai_from_contact_to_signed_and_ended(people: dict[str, Any]):
    """F10 contact, F11 letter, F17 diagnostic (with the Diair's support), F18 drafting and
    coordinator, F19 signature, F20/F21 dates of effect and end."""
    agent, prefect, diair = people["agent_own"], people["prefect_own"], people["diair"]
    contract = create_contract(user=agent, authority=grenoble_metropole(), campaign=campaign(2021), title="CTAI")
    assert contract.state == S.CONTACT
    assert contract.department.code == "38"
    assert [t.name for t in available_transitions(contract, agent)] == ["record_letter", "abandon"]

    contract = apply_transition(contract=contract, name="record_letter", user=agent, letter_date=date(2021, 11, 15))
    assert contract.state == S.LETTER_RECEIVED
    assert contract.signature_year == 2022
    assert contract.rules["year"] == 2021  # the campaign's rules, stored at the letter

    contract = apply_transition(contract=contract, name="start_diagnosis", user=diair)
    with pytest.raises(TransitionError) as incomplete:
        apply_transition(contract=contract, name="complete_diagnosis", user=prefect)
    assert incomplete.value.rule_ids == ["ctai.diagnosis.required"]
    save_diagnosis(user=agent, contract=contract, **DIAGNOSIS)
    contract = apply_transition(contract=contract, name="complete_diagnosis", user=prefect)
    assert contract.state == S.DRAFTING

    with pytest.raises(TransitionError) as unsigned:
        apply_transition(contract=contract, name="sign", user=prefect, signed_on="2022-03-01")
    assert unsigned.value.rule_ids == ["ctai.signatories.required"]  # F20: no coordinator needed
    contract = apply_transition(contract=contract, name="sign", user=prefect, **SIGN_DATA)
    assert contract.state == S.SIGNED
    assert contract.signed_on == date(2022, 3, 1)
    assert contract.effective_to == date(2024, 12, 31)
    assert contract.duration_years == 3

    contract = apply_transition(contract=contract, name="end", user=prefect, reason="Fin du contrat.")
    assert contract.state == S.ENDED
    assert list(contract.transitions.values_list("transition", flat=True)) == [
        "record_letter",
        "start_diagnosis",
        "complete_diagnosis",
        "sign",
        "end",
    ]
    assert events(contract) == [
        "contracts.created",
        "contracts.record_letter",
        "contracts.start_diagnosis",
        "contracts.diagnosis_saved",
        "contracts.complete_diagnosis",
        "contracts.sign",
        "contracts.end",
    ]
    assert Contract.objects.for_user(people["agent_other"]).filter(pk=contract.pk).count() == 0
    assert Contract.objects.for_user(people["ministry"]).filter(pk=contract.pk).count() == 1


def test_f18_late_letter_needs_a_recorded_derogation(people: dict[str, Any]):
    """F18: the 2021 deadline is 31/12/2021 for a 2022 signature. A letter of January 2022 aiming at
    2022 is refused until the lateness is justified in writing (a recorded derogation of
    `ctai.letter.deadline`); a letter aiming at the following year's signature needs none."""
    agent = people["agent_own"]
    contract = make_contract()
    with pytest.raises(TransitionError) as late:
        apply_transition(contract=contract, name="record_letter", user=agent, letter_date="2022-01-10")
    assert late.value.rule_ids == ["ctai.letter.deadline"]
    assert "justifiez ce retard" in late.value.messages[0]
    assert Contract.objects.get(pk=contract.pk).state == S.CONTACT
    assert not ContractTransition.objects.filter(contract=contract).exists()
    record_derogation(
        actor=people["prefect_own"],
        target=contract,
        rule_id="ctai.letter.deadline",
        justification="Délibération du conseil métropolitain reportée au 7 janvier 2022.",
    )
    contract = apply_transition(contract=contract, name="record_letter", user=agent, letter_date="2022-01-10")
    assert contract.state == S.LETTER_RECEIVED


def test_late_letter_aiming_at_the_following_year_needs_no_derogation(people: dict[str, Any]):
    agent = people["agent_own"]
    contract = apply_transition(
        contract=make_contract(), name="record_letter", user=agent, letter_date="2022-01-10", signature_year=2023
    )
    assert contract.state == S.LETTER_RECEIVED


def test_f12_f42_a_commune_signatory_needs_a_recorded_justification(people: dict[str, Any]):
    """F12, F42: a commune (such as Clermont-Ferrand, Marseille, Tours, Poitiers) signs only with a
    written justification, recorded as a derogation of `ctai.signatory.type`."""
    agent = people["agent_own"]
    town = commune(GRENOBLE)
    from accounts.enums import Role
    from tests.factories import make_user

    town_agent = make_user(Role.AGENT, authority=town)
    contract = make_contract(authority=town)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=contract, name="record_letter", user=town_agent, letter_date="2021-11-02")
    assert refused.value.rule_ids == ["ctai.signatory.type"]
    with pytest.raises(TransitionError):
        apply_transition(contract=contract, name="record_letter", user=agent, letter_date="2021-11-02")
    record_derogation(
        actor=people["prefect_own"],
        target=contract,
        rule_id="ctai.signatory.type",
        justification="La ville porte seule la politique d'accueil sur le territoire.",
    )
    contract = apply_transition(contract=contract, name="record_letter", user=town_agent, letter_date="2021-11-02")
    assert contract.state == S.LETTER_RECEIVED


def test_f19_sign_without_diagnosis_is_refused(people: dict[str, Any]):
    """F17, F19: a diagnostic is required before the signature."""
    contract = make_contract(S.DRAFTING, diagnosis=False)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=contract, name="sign", user=people["prefect_own"], **SIGN_DATA)
    assert "ctai.diagnosis.required" in refused.value.rule_ids
    assert Contract.objects.get(pk=contract.pk).state == S.DRAFTING


def test_two_contracts_in_force_for_one_collectivite_are_refused(people: dict[str, Any]):
    """F21: at most one contract in force per collectivité — the service says so in French, and the
    database refuses it."""
    make_contract(S.SIGNED)
    second = make_contract(S.DRAFTING)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=second, name="sign", user=people["prefect_own"], **SIGN_DATA)
    assert refused.value.code == "in_force"
    assert "un seul contrat en vigueur" in refused.value.messages[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contract(S.SIGNED)
    make_contract(S.ENDED)  # an ended contract is no longer in force


def test_abandon_needs_a_reason(people: dict[str, Any]):
    contract = make_contract(S.DIAGNOSIS)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=contract, name="abandon", user=people["agent_own"], reason="  ")
    assert refused.value.code == "reason_required"
    contract = apply_transition(
        contract=contract, name="abandon", user=people["agent_own"], reason="Changement d'équipe."
    )
    assert (contract.state, contract.closed_reason) == (S.ABANDONED, "Changement d'équipe.")


def test_double_apply_applies_once(people: dict[str, Any]):
    contract = make_contract(S.LETTER_RECEIVED)
    stale = Contract.objects.get(pk=contract.pk)
    apply_transition(contract=contract, name="start_diagnosis", user=people["prefect_own"])
    with pytest.raises(TransitionError) as second:
        apply_transition(contract=stale, name="start_diagnosis", user=people["prefect_own"])
    assert second.value.code == "state_changed"
    assert ContractTransition.objects.filter(contract=contract).count() == 1
    assert events(contract) == ["contracts.start_diagnosis"]


def test_f17_the_letter_tells_the_prefect_and_the_diair_by_e_mail(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """Step 1-2: the collectivité's letter reaches the préfet of its département and the Diair;
    the signature tells the collectivité and the Diair."""
    from contracts.services import apply_transition
    from tests.contracts.conftest import SIGN_DATA, make_contract

    contract = make_contract()
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(contract=contract, name="record_letter", user=people["agent_own"], letter_date="2021-10-01")
    assert recipients(mailoutbox) == {people["prefect_own"].email, people["diair"].email}
    assert all("lettre d'engagement reçue" in mail.subject for mail in mailoutbox)
    drafting = make_contract(ContractState.DRAFTING, authority=contract.authority)
    mailoutbox.clear()
    Contract.objects.filter(pk=contract.pk).update(state=ContractState.ABANDONED)
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(contract=drafting, name="sign", user=people["prefect_own"], **SIGN_DATA)
    assert recipients(mailoutbox) == {people["agent_own"].email, people["diair"].email}


# --- F20: the coordinator the collectivité MAY name or recruit ---------------------------------------


def test_f20_a_contract_signs_without_a_coordinator(people: dict[str, Any]):
    """F20: « la collectivité pourra nommer ou recruter un coordinateur dédié » — a possibility, not a
    condition: the préfet signs a contract that has none, and it stays without one."""
    contract = make_contract(S.DRAFTING)
    assert contract.coordinator_status == CoordinatorStatus.NONE
    signed = apply_transition(
        contract=contract, name="sign", user=people["prefect_own"], **SIGN_DATA_WITHOUT_COORDINATOR
    )
    assert signed.state == S.SIGNED
    assert signed.coordinator_status == CoordinatorStatus.NONE
    assert not [f for f in signed.findings() if f.is_blocking]


def test_f20_the_coordinator_is_recorded_before_and_after_the_signature(people: dict[str, Any]):
    """F20: being recruited while drafting, then named once the contract is in force; each change a new
    version of the contract and an audit event; only the collectivité (or the préfet), only while the
    contract is open or in force."""
    agent, prefect = people["agent_own"], people["prefect_own"]
    contract = make_contract(S.DRAFTING)
    contract = record_coordinator(user=agent, contract=contract, recruiting=True)
    assert contract.coordinator_status == CoordinatorStatus.RECRUITING
    contract = apply_transition(contract=contract, name="sign", user=prefect, **SIGN_DATA_WITHOUT_COORDINATOR)
    assert contract.coordinator_status == CoordinatorStatus.RECRUITING
    contract = record_coordinator(
        user=agent, contract=contract, name="Camille Martin", role="Cheffe de projet", contact="c.martin@example.org"
    )
    contract.refresh_from_db()
    assert (contract.coordinator_status, contract.coordinator_name, contract.coordinator_recruiting) == (
        CoordinatorStatus.NAMED,
        "Camille Martin",
        False,
    )
    reasons = list(contract.history.values_list("history_change_reason", flat=True))
    assert reasons.count("Coordinateur enregistré") == 2
    details = [
        e.details["coordinateur"] for e in Event.objects.filter(verb="contracts.coordinator_recorded").order_by("pk")
    ]
    assert details == [
        "pas de coordinateur → en cours de recrutement",
        "en cours de recrutement → Camille Martin, Cheffe de projet",
    ]
    with pytest.raises(TransitionError, match="nommé n'est pas en cours de recrutement"):
        record_coordinator(user=agent, contract=contract, name="Camille Martin", recruiting=True)
    with pytest.raises(TransitionError, match="nom du coordinateur"):
        record_coordinator(user=agent, contract=contract, role="Chargé de mission")
    for outsider in ("agent_other", "prefect_other", "instructor", "diair", "ministry"):
        with pytest.raises(PermissionDenied):
            record_coordinator(user=people[outsider], contract=contract, recruiting=True)
    record_coordinator(user=prefect, contract=contract)  # none: allowed, it is optional
    assert Contract.objects.get(pk=contract.pk).coordinator_status == CoordinatorStatus.NONE
    ended = make_contract(S.ENDED, authority=commune(GRENOBLE))
    with pytest.raises(TransitionError, match="ne se modifie plus"):
        record_coordinator(user=make_user(Role.AGENT, authority=ended.authority), contract=ended, recruiting=True)


# --- F16: a CTAIR signed in 2019-2020 or still in negotiation is widened into a CTAI -----------------

DECLARATION = (
    "Le conseil métropolitain a délibéré le 20 mai 2021 pour ouvrir les actions du contrat à l'ensemble des "
    "étrangers primo-arrivants : nous souhaitons signer un CTAI en lieu et place de notre CTAIR."
)


def test_f16_a_signed_ctair_is_widened_from_the_collectivites_declaration(people: dict[str, Any]):
    """F16: the collectivité tells the préfet of its intention; the CTAI that will be signed in place of
    the CTAIR starts from that declaration — no lettre d'engagement —, goes through the diagnostic, and
    its signature closes the CTAIR as widened. The CTAIR stays in force meanwhile."""
    agent, prefect, diair = people["agent_own"], people["prefect_own"], people["diair"]
    ctair = make_ctair()
    assert "declare_widening" in {t.name for t in available_transitions(ctair, agent)}
    with pytest.raises(TransitionError) as no_text:
        apply_transition(contract=ctair, name="declare_widening", user=agent, reason=" ")
    assert no_text.value.code == "reason_required"
    ctair = apply_transition(
        contract=ctair, name="declare_widening", user=agent, reason=DECLARATION, declared_on="2021-06-01"
    )
    assert ctair.state == S.SIGNED
    ctai = Contract.objects.get(widens=ctair)
    assert (ctai.kind, ctai.state, ctai.authority_id) == (ContractKind.CTAI, S.WIDENING_DECLARED, ctair.authority_id)
    assert (ctai.widening_declared_on, ctai.widening_declared_by, ctai.widening_declaration) == (
        date(2021, 6, 1),
        agent,
        DECLARATION,
    )
    assert ctai.letter_date is None and ctai.rules["year"] == 2021  # the campaign of the declaration
    log = ctair.transitions.get()
    assert (log.transition, log.source, log.target, log.actor, log.reason) == (
        "declare_widening",
        S.SIGNED,
        S.SIGNED,
        agent,
        DECLARATION,
    )
    assert events(ctair) == ["contracts.declare_widening"]
    assert Event.objects.get(verb="contracts.declare_widening").details["CTAI"] == f"{ctai} (n° {ctai.pk})"
    assert events(ctai) == ["contracts.created"]
    assert (
        Event.objects.get(verb="contracts.created", target_id=str(ctai.pk))
        .details["élargit"]
        .endswith(f"(n° {ctair.pk})")
    )

    # No letter: the préfet (or the Diair) starts the diagnostic right away.
    assert [t.name for t in available_transitions(ctai, agent)] == ["abandon"]
    assert [t.name for t in available_transitions(ctai, prefect)] == ["start_diagnosis", "abandon"]
    ctai = apply_transition(contract=ctai, name="start_diagnosis", user=diair)
    save_diagnosis(user=agent, contract=ctai, **DIAGNOSIS)
    ctai = apply_transition(contract=ctai, name="complete_diagnosis", user=prefect)
    assert not [f for f in ctai.findings() if f.is_blocking]  # the letter rules do not apply
    ctai = apply_transition(contract=ctai, name="sign", user=prefect, **SIGN_DATA_WITHOUT_COORDINATOR)
    ctair.refresh_from_db()
    assert (ctai.state, ctair.state) == (S.SIGNED, S.WIDENED)
    assert ctai.letter_date is None
    assert events(ctair) == ["contracts.declare_widening", "contracts.widened"]
    assert list(ctair.transitions.values_list("transition", flat=True)) == ["declare_widening", "close_as_widened"]
    assert list(ctai.transitions.values_list("transition", flat=True)) == [
        "start_diagnosis",
        "complete_diagnosis",
        "sign",
    ]


def test_f16_the_letter_deadline_does_not_apply_to_a_widening(people: dict[str, Any]):
    """F16, F18: the declaration is not a lettre d'engagement — one made in January 2022, after the
    31/12/2021 deadline, needs no derogation, where a late letter does."""
    agent = people["agent_own"]
    ctair = make_ctair()
    apply_transition(contract=ctair, name="declare_widening", user=agent, reason=DECLARATION, declared_on="2022-01-10")
    ctai = Contract.objects.get(widens=ctair)
    assert ctai.campaign.year == 2022 and ctai.letter_date is None
    late = Contract(**{f: getattr(ctai, f) for f in ("campaign", "authority", "department")})
    late.letter_date, late.signature_year = date(2022, 1, 10), 2022
    rules = Campaign.objects.get(year=2021).rules()
    assert "ctai.letter.deadline" in {f.rule_id for f in late.findings(rules)}
    assert {f.rule_id for f in ctai.findings(rules)} == set()
    ctai.letter_date = date(2022, 1, 10)  # even with a late letter in the file, a widening needs none
    assert {f.rule_id for f in ctai.findings(rules)} == set()


def test_f16_a_ctair_in_negotiation_is_carried_on_as_the_ctai(people: dict[str, Any]):
    """F16: a CTAIR still in negotiation (here at the diagnostic) becomes the CTAI: same contract, its
    letter and diagnostic kept, its history showing it was a CTAIR; then it is signed as a CTAI."""
    agent, prefect = people["agent_own"], people["prefect_own"]
    ctair = make_ctair(S.DIAGNOSIS, diagnosis=True)
    letter_date = ctair.letter_date
    contract = apply_transition(contract=ctair, name="declare_widening", user=agent, reason=DECLARATION)
    assert contract.pk == ctair.pk and Contract.objects.count() == 1
    assert (contract.kind, contract.state, contract.widened_in_negotiation) == (ContractKind.CTAI, S.DIAGNOSIS, True)
    assert (contract.widening_declared_on, contract.widening_declaration) == (timezone.localdate(), DECLARATION)
    assert contract.title == "CTAI 2019 — Grenoble-Alpes-Métropole"
    assert contract.letter_date == letter_date and Diagnosis.objects.filter(contract=contract).exists()
    newest, before = contract.history.order_by("-history_date", "-history_id")[:2]
    assert (before.kind, newest.kind) == (ContractKind.CTAIR, ContractKind.CTAI)
    assert newest.history_change_reason == "CTAIR élargi en CTAI (déclaration d'intention)"
    assert contract.transitions.get().transition == "declare_widening"
    event = Event.objects.get(verb="contracts.declare_widening")
    assert event.details["type"] == "CTAIR (réfugiés, 2019-2020) → CTAI"
    assert "declare_widening" not in {t.name for t in available_transitions(contract, agent)}  # a CTAI now
    contract = apply_transition(contract=contract, name="complete_diagnosis", user=prefect)
    contract = apply_transition(contract=contract, name="sign", user=prefect, **SIGN_DATA_WITHOUT_COORDINATOR)
    assert (contract.kind, contract.state) == (ContractKind.CTAI, S.SIGNED)


def test_f16_a_ctair_at_first_contact_goes_to_the_declaration_then_the_diagnostic(people: dict[str, Any]):
    """F16: from `contact`, the declaration stands for the letter: the CTAI waits for its diagnostic."""
    ctair = make_ctair(S.CONTACT)
    contract = apply_transition(
        contract=ctair,
        name="declare_widening",
        user=people["prefect_own"],
        reason=DECLARATION,
        declared_on="2021-09-15",
    )
    assert (contract.kind, contract.state) == (ContractKind.CTAI, S.WIDENING_DECLARED)
    assert contract.rules["year"] == 2021
    assert contract.widening_declared_by == people["prefect_own"]  # recorded by the préfet for the collectivité
    contract = apply_transition(contract=contract, name="start_diagnosis", user=people["prefect_own"])
    assert contract.state == S.DIAGNOSIS


@pytest.mark.parametrize(
    ("state", "kind", "offered"),
    [
        (S.SIGNED, ContractKind.CTAIR, {"agent_own", "prefect_own"}),
        (S.DRAFTING, ContractKind.CTAIR, {"agent_own", "prefect_own"}),
        (S.CONTACT, ContractKind.CTAIR, {"agent_own", "prefect_own"}),
        (S.ENDED, ContractKind.CTAIR, set()),
        (S.ABANDONED, ContractKind.CTAIR, set()),
        (S.SIGNED, ContractKind.CTAI, set()),
        (S.DRAFTING, ContractKind.CTAI, set()),
    ],
)
def test_f16_who_declares_a_widening_and_of_what(people: dict[str, Any], state: str, kind: str, offered: set[str]):
    """F16: a CTAIR signed or in negotiation, by its collectivité's agents or the préfet on its behalf;
    never a CTAI, never a CTAIR ended or abandoned; a refusal writes nothing."""
    contract = make_contract(state, kind=kind)
    assert {
        p for p, user in people.items() if "declare_widening" in {t.name for t in available_transitions(contract, user)}
    } == offered
    for persona in set(people) - offered:
        with pytest.raises(TransitionError):
            apply_transition(contract=contract, name="declare_widening", user=people[persona], reason=DECLARATION)
    assert Contract.objects.count() == 1 and not ContractTransition.objects.exists()


def test_f16_a_ctair_is_widened_by_one_ctai_at_a_time(people: dict[str, Any]):
    """Once declared, the CTAIR is not declared again while its CTAI is open; once that CTAI is
    abandoned, the CTAIR (still in force) may be widened again."""
    agent = people["agent_own"]
    ctair = make_ctair()
    apply_transition(contract=ctair, name="declare_widening", user=agent, reason=DECLARATION)
    ctair = Contract.objects.get(pk=ctair.pk)
    assert "declare_widening" not in {t.name for t in available_transitions(ctair, agent)}
    with pytest.raises(TransitionError) as again:
        apply_transition(contract=ctair, name="declare_widening", user=agent, reason=DECLARATION)
    assert again.value.code == "not_allowed"
    first = Contract.objects.get(widens=ctair)
    abandoned = apply_transition(contract=first, name="abandon", user=agent, reason="Report en 2023.")
    assert abandoned.widens is None and f"CTAIR n° {ctair.pk}" in abandoned.closed_reason
    ctair = Contract.objects.get(pk=ctair.pk)
    apply_transition(contract=ctair, name="declare_widening", user=agent, reason=DECLARATION)
    assert Contract.objects.filter(widens=ctair, state=S.WIDENING_DECLARED).count() == 1


def test_f16_a_declaration_is_not_dated_in_the_future(people: dict[str, Any]):
    ctair = make_ctair()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(TransitionError) as refused:
        apply_transition(
            contract=ctair, name="declare_widening", user=people["agent_own"], reason=DECLARATION, declared_on=tomorrow
        )
    assert refused.value.code == "declared_on"
    assert Contract.objects.count() == 1


def test_f16_the_declaration_tells_the_collectivite_the_prefect_and_the_diair(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    ctair = make_ctair()
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(contract=ctair, name="declare_widening", user=people["prefect_own"], reason=DECLARATION)
    # The préfet who recorded the declaration is not told of his own act.
    assert recipients(mailoutbox) == {people[p].email for p in ("agent_own", "diair")}
    mail = mailoutbox[0]
    assert "intention d'élargissement en CTAI déclarée" in mail.subject
    assert DECLARATION in mail.body and "Le CTAI qui sera signé à sa place est ouvert" in mail.body


def test_f20_the_contract_s_text_model_says_the_coordinator_is_optional():
    """F20: without a coordinator, the contract's text (from its model) says the collectivité may name
    or recruit one — not that it names one."""
    from contracts.documents import draft_text

    text = draft_text(make_contract(S.DRAFTING))
    assert "peut nommer ou recruter un coordinateur dédié" in text
    assert "désigne [nom et fonction du coordinateur]" not in text
    named = draft_text(make_contract(S.DRAFTING, authority=commune(GRENOBLE), coordinator_name="Camille Martin"))
    assert "désigne Camille Martin" in named


@pytest.mark.parametrize("persona", PERSONAS)
def test_f12_only_the_prefect_and_the_diair_record_a_derogation(persona: str, people: dict[str, Any]) -> None:
    """Held by the domain, whatever door calls it: the contract says who may lift one of its rules
    (its préfet, the Diair), and only while it is negotiated; nothing is written otherwise."""
    contract = make_contract(S.LETTER_RECEIVED)
    call = partial(
        record_derogation,
        actor=people[persona],
        target=contract,
        rule_id="ctai.signatory.type",
        justification="La commune porte la politique d'accueil du territoire.",
    )
    if persona in ("prefect_own", "diair"):
        call()
        assert lifted_for(contract) == {"ctai.signatory.type": "La commune porte la politique d'accueil du territoire."}
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert lifted_for(contract) == {}
    signed = make_contract(S.SIGNED, authority=metropole_de_lyon())
    with pytest.raises(PermissionDenied):
        record_derogation(
            actor=people["diair"], target=signed, rule_id="ctai.signatory.type", justification="Trop tard."
        )
