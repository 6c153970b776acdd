"""Shared for the import tests: the Diair who imports, the campaigns of the CTAIR years."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.enums import Role
from accounts.models import User
from imports.ds.sync import connect_demarche, set_mapping
from imports.models import Demarche
from programme.models import Campaign
from tests.factories import grenoble_metropole, make_user
from tests.imports.recorded_ds import BPI, COLLECTIVITE, FILES, TITLE, TOKEN, RecordedDS


@pytest.fixture
def diair(db: Any) -> User:
    return make_user(Role.DIAIR)


@pytest.fixture
def ctair_campaigns(db: Any) -> None:
    """Campaigns 2019 and 2020, as the demo adds them (the platform's own start in 2021)."""
    from demo.ctai import _ctair_campaign

    for year in (2019, 2020):
        _ctair_campaign(year, None)


@pytest.fixture
def setup(db: Any) -> tuple[RecordedDS, Demarche, User]:
    """Démarche 4242 connected by an administrator and mapped; the agent of Grenoble-Alpes Métropole
    who files its dossiers."""
    admin = make_user(Role.ADMIN)
    agent = make_user(Role.AGENT, authority=grenoble_metropole())
    ds = RecordedDS(agent.email)
    demarche = connect_demarche(
        user=admin, number=4242, token=TOKEN, campaign=Campaign.objects.get(year=2021), transport=ds.transport
    )
    set_mapping(
        user=admin,
        demarche=demarche,
        mapping={COLLECTIVITE: "collectivite", TITLE: "title", BPI: "planned_bpi", FILES: "piece_jointe"},
    )
    return ds, demarche, agent
