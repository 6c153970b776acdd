"""Run inside `manage.py shell` against the service database: the people, the 2021 national credits
and a PTAI approved by the préfet of Isère; prints their ids and API tokens as JSON."""

import json

from accounts.models import User
from programme.enums import BudgetLineCode
from programme.models import Campaign
from tests.factories import OperatorFactory, UserFactory, api_key
from tests.projects.conftest import PERSONAS, make_persona, national_credits
from tests.projects.factories import ProjectFactory

# Each run is a new process (factory sequences restart): carry on after what earlier runs created.
offset = User.objects.count() + 1
for factory in (UserFactory, OperatorFactory, ProjectFactory):
    factory.reset_sequence(offset * 100)
people = {name: make_persona(name) for name in PERSONAS}
campaign = Campaign.objects.get(year=2021)
for code, amount in ((BudgetLineCode.NEWCOMERS, "100000"), (BudgetLineCode.REFUGEES, "60000")):
    national_credits(campaign, code, amount, actor=people["ministry"])
project = ProjectFactory(prefect_approved=True, campaign=campaign)
print(
    json.dumps(
        {
            "project": project.pk,
            "agent_email": people["agent_lead"].email,
            "tokens": {name: api_key(user) for name, user in people.items()},
        }
    )
)
