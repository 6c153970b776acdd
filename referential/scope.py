"""The territorial scope a user acts in, as plain ids.

`accounts` builds it from a user's memberships (`User.scope`); every domain queryset's
`for_user(user)` turns it into a filter. It lives here, on the ground floor, so that the
referential itself can be scoped without importing accounts.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TerritorialScope:
    national: bool = False
    region_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    authority_ids: frozenset[int] = field(default_factory=frozenset)
    operator_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.region_ids or self.department_ids or self.authority_ids or self.operator_ids)


EMPTY_SCOPE = TerritorialScope()
