"""The contract page's link to its calls for projects (for the collectivité's agents, once signed)."""

from typing import Any

from django import template

from contracts import permissions
from contracts.enums import ContractState

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open_calls(context: Any, contract: Any) -> bool:
    """`{% may_open_calls contract as shown %}`: the contract is signed and the user is an agent of
    its collectivité (who opens its calls for projects)."""
    user = context.get("user")
    return bool(
        contract.state == ContractState.SIGNED and user is not None and permissions.may_create_call(contract, user)
    )
