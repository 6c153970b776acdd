"""The steering tests' small world: four départements (DROM and Corse included), a collectivité of
each, a Diair and an instructeur of Isère."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.enums import Role
from programme.models import BudgetLine, Campaign
from referential.models import Authority, Department
from tests.factories import make_user

CODES = ("38", "69", "974", "2A")  # Isère, Rhône, La Réunion (DROM), Corse-du-Sud


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    departments = {code: Department.objects.get(code=code) for code in CODES}
    authorities = {
        code: Authority.objects.filter(department=dep).order_by("-kind", "pk").first()
        for code, dep in departments.items()
    }
    return {
        "departments": departments,
        "authorities": authorities,
        "diair": make_user(Role.DIAIR),
        "isere": make_user(Role.INSTRUCTOR, department=departments["38"]),
        "line": BudgetLine.objects.order_by("code").first(),
        "campaign": Campaign.objects.get(year=2021),
    }
