"""The one workflow mechanism of the platform: PTAI, CTAI, yearly programmings and amendments.

Each workflow declares its transitions on its model with django-fsm-2 (one method per transition,
explicit sources, `permission=` by role and scope) and describes itself with a `Workflow`:

    CONTRACT = Workflow(names=TransitionName, states=ContractState, forms=FORMS, noun="Ce contrat")

Then the pages (buttons), the API (`GET …/transitions/`) and the service that applies a transition
(the guard) all go through the same three calls:

- `workflow.available(obj, user)`: the transitions this user may apply now (state, role, scope);
  the programme rules are NOT evaluated here: the button stays, the refusal explains;
- `workflow.lock(queryset, obj)`: the row, locked, with its state re-read;
- `workflow.guard(locked, read_state, name, user)`: refuses a transition that is unknown, that this
  user may not apply, or that was already applied since the page was read (a double click applies
  once: "state_changed").

Each applied transition writes one row of a `TransitionLog` (append-only) and one audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models

from core.fields import BoundedTextField
from programme.errors import TransitionError

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class TransitionForm:
    """What a transition asks of the person who applies it: a reason (motif) — "required",
    "optional" or "none" —, an opinion (avis), an amount, and other named inputs (`fields`)."""

    reason: str = "none"
    reason_label: str = "Motif"
    opinion: bool = False
    amount: str = "none"  # "required", "optional" or "none"
    amount_label: str = ""
    fields: tuple[str, ...] = ()
    # Shown to the applicant (the reason of a refusal, a correction, a dismissal).
    notifies_applicant: bool = False


@dataclass(frozen=True)
class AvailableTransition:
    name: str
    label: str
    target: str
    target_label: str
    form: TransitionForm


def sources_of(model: Any, name: str) -> set[str]:
    """The states from which the transition `name` of `model` may be applied."""
    method = getattr(model, name)
    return set(method._django_fsm.transitions)


@dataclass(frozen=True)
class Workflow:
    """A workflow's public description: its transition names and states (TextChoices: the codes
    are part of the API, the labels are the buttons), what each transition's form asks, and the
    noun its messages use ("Ce dossier", "Ce contrat", "Cette programmation")."""

    names: type[models.TextChoices]
    states: type[models.TextChoices]
    forms: Mapping[str, TransitionForm]
    noun: str
    pronoun: str = "il"  # "elle" for "Cette programmation"

    def available(self, obj: Any, user: Any) -> list[AvailableTransition]:
        """The transitions `user` may apply to `obj` now, in the order of `names`. Internal
        transitions (not in `names`, e.g. a CTAIR closed as widened) are never offered."""
        available = []
        for transition in obj.get_available_user_state_transitions(user):
            name = transition.name
            if name not in self.names.values:
                continue
            target = self.states(transition.target)
            available.append(
                AvailableTransition(name, self.names(name).label, target.value, target.label, self.forms[name])
            )
        order = list(self.names.values)
        return sorted(available, key=lambda t: order.index(t.name))

    def label(self, name: str) -> str:
        return str(self.names(name).label) if name in self.names.values else name

    def state_label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state

    def lock(self, queryset: models.QuerySet[M], obj: M) -> M:
        """`obj`'s row, locked for the transaction (FOR UPDATE of its own table), state re-read."""
        return queryset.select_for_update(of=("self",)).get(pk=obj.pk)

    def guard(self, locked: Any, read_state: str, name: str, user: Any) -> None:
        """Refuse unless `user` may apply `name` to the locked row now. `read_state`: the state the
        caller saw (the page, the API client); if the row moved since, "state_changed"."""
        if name not in self.names.values:
            raise TransitionError("Cette action n'existe pas.", code="unknown_transition")
        if name in {t.name for t in self.available(locked, user)}:
            return
        now_label = self.state_label(locked.state).lower()
        if locked.state != read_state or locked.state not in sources_of(type(locked), name):
            raise TransitionError(
                f"{self.noun} a déjà changé d'état : {self.pronoun} est maintenant « {now_label} ». "
                "Rechargez la page pour voir les actions possibles.",
                code="state_changed",
            )
        raise TransitionError(
            f"Vous ne pouvez pas « {self.label(name).lower()} » sur {self.noun.lower()} « {now_label} ».",
            code="not_allowed",
        )

    def may_open(self, obj: Any, name: str, user: Any) -> AvailableTransition | None:
        """The transition `name` if `user` may apply it to `obj` now (the action pages)."""
        return next((t for t in self.available(obj, user) if t.name == name), None)


class TransitionLog(models.Model):
    """The log of a workflow: one row per applied transition, never modified. Concrete logs add
    the foreign key to their object and `source`/`target` with their states as choices."""

    transition = models.CharField("action", max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = BoundedTextField("motif", blank=True, default="")
    created_at = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.transition} : {getattr(self, 'source', '')} → {getattr(self, 'target', '')}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A transition log row is never modified.")
        super().save(*args, **kwargs)
