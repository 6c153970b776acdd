"""The refusal of a workflow step (PTAI, CTAI…), shared by the domain apps above this floor."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """A refused transition or edit, with French messages a user can act on. Nothing was written.

    `rule_ids` names the programme rules (or the workflow checks) that refused it, for the API.
    """

    def __init__(self, messages: str | list[str], *, code: str, rule_ids: Iterable[str] = ()) -> None:
        super().__init__(messages if isinstance(messages, list) else [messages], code=code)
        self.code = code
        self.rule_ids = list(rule_ids) or [code]
