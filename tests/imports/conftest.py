"""Shared for the import tests: the Diair who imports, the campaigns of the CTAIR years."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.enums import Role
from accounts.models import User
from tests.factories import make_user


@pytest.fixture
def diair(db: Any) -> User:
    return make_user(Role.DIAIR)


@pytest.fixture
def ctair_campaigns(db: Any) -> None:
    """Campaigns 2019 and 2020, as the demo adds them (the platform's own start in 2021)."""
    from demo.ctai import _ctair_campaign

    for year in (2019, 2020):
        _ctair_campaign(year, None)
