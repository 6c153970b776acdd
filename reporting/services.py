"""The writers of reports: expect, fill in, hand in, review; and the question the balance asks.

- `expect_report` (idempotent) creates the report a period of an action owes, with the campaign's
  indicator set of the day; `steering.schedule` calls it for every funded action.
- `save_report`: the collectivité's agent (or the invited opérateur) enters the counts, the
  narrative and the spending — counts only, checked (whole numbers, sex and age bands adding up to
  the people reached).
- `apply_transition`: hand in, ask for completion, accept (the one workflow mechanism).
- `require_accepted_final_report(targets)`: what `projects` (PTAI `close`) and `contracts`
  (programming `close`) call before paying the balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.services import record_event
from core.formats import format_euros
from programme.errors import TransitionError
from programme.models import Campaign
from programme.workflow import AvailableTransition, TransitionForm, Workflow
from referential.models import Authority, Department, Operator
from reporting import permissions as perm
from reporting.enums import Period, ReportState, ReportTransitionName, TargetKind
from reporting.models import CORE_INDICATORS, DEFAULT_INDICATORS, SPLIT_GROUPS, Indicator, Report, ReportTransition
from reporting.notifications import notify_report_transition

T = ReportTransitionName
FORMS: dict[str, TransitionForm] = {
    T.SUBMIT: TransitionForm(reason="none"),
    T.REQUEST_COMPLETION: TransitionForm(
        reason="required", reason_label="Compléments demandés", notifies_applicant=True
    ),
    T.ACCEPT: TransitionForm(reason="optional", reason_label="Observations", notifies_applicant=True),
}
REPORT = Workflow(names=ReportTransitionName, states=ReportState, forms=FORMS, noun="Ce bilan")
MAX_COUNT = 10_000_000


def available_transitions(report: Report, user: Any) -> list[AvailableTransition]:
    return REPORT.available(report, user)


def indicators_for(campaign: Campaign) -> list[Indicator]:
    """The campaign's active indicators; a campaign without a set starts with the default one."""
    if not Indicator.objects.filter(campaign=campaign).exists():
        Indicator.objects.bulk_create(
            [
                Indicator(campaign=campaign, code=code, label=label, group=group, position=i)
                for i, (code, label, group) in enumerate(DEFAULT_INDICATORS)
            ],
            ignore_conflicts=True,
        )
    return list(Indicator.objects.filter(campaign=campaign, is_active=True).order_by("position", "pk"))


def expect_report(
    *,
    target: models.Model,
    target_kind: TargetKind,
    title: str,
    campaign: Campaign,
    department: Department,
    authority: Authority,
    operator: Operator | None,
    period: Period,
    due_on: date,
    budget: Decimal,
) -> tuple[Report, bool]:
    """The report of `period` owed by `target`, created once with the campaign's indicator set of
    today (a second call returns the existing one, unchanged). Returns (report, created)."""
    from django.contrib.contenttypes.models import ContentType

    existing = Report.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk, period=period
    ).first()
    if existing is not None:
        return existing, False
    indicator_set = [{"code": i.code, "label": i.label, "group": i.group} for i in indicators_for(campaign)]
    report = Report.objects.create(
        target=target,
        target_kind=target_kind,
        title=title[:200],
        campaign=campaign,
        department=department,
        authority=authority,
        operator=operator,
        period=period,
        due_on=due_on,
        budget=budget,
        indicator_set=indicator_set,
    )
    return report, True


def _count(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).replace("\u202f", "").replace("\xa0", "").replace(" ", ""))
    except ValueError:
        raise ValueError("Indiquez un nombre entier.") from None
    if value < 0:
        raise ValueError("Un nombre ne peut pas être négatif.")
    if value > MAX_COUNT:
        raise ValueError("Ce nombre est trop grand.")
    return value


def clean_values(report: Report, raw: Mapping[str, Any]) -> dict[str, int]:
    """The counts of `raw` for the report's own indicator set, checked; ValidationError (French,
    keyed by indicator code) otherwise. Sex and age bands, when given, add up to the people reached."""
    errors: dict[str, list[str]] = {}
    values: dict[str, int] = {}
    known = {i["code"] for i in report.indicator_set}
    for code in raw:
        if code not in known:
            errors.setdefault("__all__", []).append("Cet indicateur n'appartient pas au bilan.")
    for item in report.indicator_set:
        try:
            value = _count(raw.get(item["code"]))
        except ValueError as exc:
            errors[item["code"]] = [str(exc)]
            continue
        if value is not None:
            values[item["code"]] = value
    if not errors:
        reached = sum(values.get(code, 0) for code in CORE_INDICATORS)
        for group in SPLIT_GROUPS:
            codes = [i["code"] for i in report.indicator_set if i.get("group") == group]
            given = [values[c] for c in codes if c in values]
            if given and sum(given) != reached:
                errors[codes[0]] = [
                    f"La répartition « {group.lower()} » totalise {sum(given)} personnes : elle doit être égale "
                    f"aux bénéficiaires accompagnés ({reached})."
                ]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def save_report(
    *, report: Report, user: Any, values: Mapping[str, Any], narrative: str, spent_amount: Decimal | None
) -> Report:
    """Enter or correct the report's counts, narrative and spending, before it is handed in."""
    locked = Report.objects.select_for_update(of=("self",)).select_related("department").get(pk=report.pk)
    if not perm.may_enter(locked, user):
        raise PermissionDenied("Seule la collectivité, ou l'opérateur qu'elle a invité, saisit ce bilan.")
    if locked.state not in (ReportState.EXPECTED, ReportState.COMPLETION_REQUESTED):
        raise ValidationError("Ce bilan est remis : il ne se modifie plus.")
    locked.values = clean_values(locked, values)
    locked.narrative = narrative.strip()
    locked.spent_amount = spent_amount
    locked.save()
    record_event(
        actor=user,
        verb="reporting.report_saved",
        target=locked.target,
        details={"bilan": Period(locked.period).label, "bénéficiaires accompagnés": locked.reached},
    )
    return locked


@transaction.atomic
def invite_operator(*, report: Report, user: Any) -> Report:
    """The collectivité invites the opérateur carrying the action to enter the report itself."""
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if not perm.may_invite_operator(locked, user):
        raise PermissionDenied("Seule la collectivité invite l'opérateur de l'action.")
    if not locked.operator_invited:
        locked.operator_invited = True
        locked.save(update_fields=["operator_invited"])
        record_event(
            actor=user,
            verb="reporting.operator_invited",
            target=locked.target,
            details={"bilan": Period(locked.period).label, "opérateur": str(locked.operator)},
        )
        transaction.on_commit(partial(notify_report_transition, locked.pk, "invited", ""))
    return locked


@transaction.atomic
def apply_transition(*, report: Report, name: str, user: Any, reason: str = "") -> Report:
    """Hand in, ask for completion or accept, once (lock, re-read, guard); log, audit on the file's
    timeline, e-mail after the commit."""
    locked = REPORT.lock(Report.objects.select_related("department", "campaign"), report)
    REPORT.guard(locked, report.state, name, user)
    source = locked.state
    reason = reason.strip()
    getattr(locked, name)(user=user, reason=reason)
    locked.state_changed_at = timezone.now()
    locked.save()
    ReportTransition.objects.create(
        report=locked, transition=name, source=source, target=locked.state, actor=user, reason=reason
    )
    details: dict[str, Any] = {"bilan": Period(locked.period).label, "vers": ReportState(locked.state).label}
    if reason:
        details["motif"] = reason
    if locked.spent_amount is not None:
        details["dépensé"] = format_euros(locked.spent_amount)
    record_event(actor=user, verb=f"reporting.{name}", target=locked.target, details=details)
    transaction.on_commit(partial(notify_report_transition, locked.pk, name, reason))
    return locked


def accepted_final(targets: Iterable[models.Model]) -> set[tuple[int, int]]:
    """(content type id, pk) of the targets whose final report is accepted (one query)."""
    from django.contrib.contenttypes.models import ContentType

    pairs = [(ContentType.objects.get_for_model(t).pk, t.pk) for t in targets]
    if not pairs:
        return set()
    condition = models.Q(pk__in=[])
    for type_id, pk in pairs:
        condition |= models.Q(target_type_id=type_id, target_id=pk)
    return set(
        Report.objects.filter(condition, period=Period.FINAL, state=ReportState.ACCEPTED).values_list(
            "target_type_id", "target_id"
        )
    )


def require_accepted_final_report(targets: Iterable[models.Model], what: str) -> None:
    """Refuse the balance while one of `targets` has no accepted final report. `what` names them
    in the message ("du projet", "des actions …")."""
    targets = list(targets)
    from django.contrib.contenttypes.models import ContentType

    done = accepted_final(targets)
    missing = [t for t in targets if (ContentType.objects.get_for_model(t).pk, t.pk) not in done]
    if missing:
        names = ", ".join(f"« {getattr(t, 'title', '') or t}" + " »" for t in missing[:5])
        raise TransitionError(
            f"Le solde attend le bilan final accepté {what} : {names}. Le bilan se saisit dans la "
            "rubrique « Bilans », puis l'agent de l'État l'accepte.",
            code="final_report_missing",
        )


ATTACHMENT_KIND = "piece-bilan"


@transaction.atomic
def attach_to_report(*, report: Report, user: Any, uploaded_file: Any, inspected: Any = None) -> Any:
    """Join a file (an attendance sheet, a photo of a workshop, an invoice…) to a report being entered,
    by whoever enters it; checked by its content (`documents.services.attach`). Readers of the report
    see it. The form says again that no personal data about the people accompanied belongs in it."""
    from documents.services import attach

    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if not perm.may_enter(locked, user):
        raise PermissionDenied("Seule la collectivité, ou l'opérateur qu'elle a invité, joint des pièces au bilan.")
    if locked.state not in (ReportState.EXPECTED, ReportState.COMPLETION_REQUESTED):
        raise ValidationError("Ce bilan est remis : on n'y joint plus de pièce.")
    return attach(actor=user, target=locked, uploaded_file=uploaded_file, kind=ATTACHMENT_KIND, inspected=inspected)


# --- The campaign's indicator set (edited on the site, like the domains) --------------------------


@transaction.atomic
def save_indicator(
    *,
    actor: Any,
    campaign: Campaign,
    indicator: Indicator | None,
    code: str = "",
    label: str,
    group: str = "",
    position: int = 0,
    is_active: bool = True,
) -> Indicator:
    """Add an indicator to a campaign's set (`indicator` None, with its `code`) or change one (its
    code stays). Reports already made keep the set they were made with (`Report.indicator_set`): this
    changes only the reports created from now on. The core indicators stay active."""
    from django.utils.text import slugify

    from programme.services import can_manage_programme

    if not can_manage_programme(actor):
        raise PermissionDenied("Seuls les administrateurs modifient les indicateurs d'une année.")
    indicators_for(campaign)  # a campaign without a set starts with the default one
    label, group = label.strip(), group.strip()
    if not label:
        raise ValidationError({"label": "Indiquez le libellé de l'indicateur."})
    if indicator is None:
        code = code.strip()
        if not code or slugify(code).replace("-", "_") != code:
            raise ValidationError({"code": "Le code s'écrit en minuscules, chiffres et « _ », sans espace ni accent."})
        if Indicator.objects.filter(campaign=campaign, code=code).exists():
            raise ValidationError({"code": f"L'année {campaign.year} a déjà un indicateur « {code} »."})
        indicator = Indicator(campaign=campaign, code=code)
        verb, details = "reporting.indicator_added", {"code": code, "libellé": label}
    else:
        if indicator.code in CORE_INDICATORS and not is_active:
            raise ValidationError(
                {
                    "is_active": "Les bénéficiaires accompagnés sont lus par les tableaux de bord : "
                    "cet indicateur reste actif."
                }
            )
        verb, details = (
            "reporting.indicator_changed",
            {"code": indicator.code, "libellé": f"{indicator.label} → {label}"},
        )
    indicator.label, indicator.group, indicator.position, indicator.is_active = label, group, position, is_active
    indicator.save()
    record_event(actor=actor, verb=verb, target=campaign, details=details)
    return indicator
