"""Seed data every database needs: the 14 domains, the two budget lines, campaigns 2021 and 2022.

Sources: the May 2021 flyer (2021) and the circulaire of 25 January 2022 (2022). Values the texts
do not give are documented assumptions (docs/programme-rules.md), written in each campaign's notes.
A campaign already present (edited by an administrator) is left as it is.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

DOMAINS = [
    ("logement", "Logement"),
    ("sante", "Accès aux soins / santé"),
    ("acces-droits", "Accès aux droits"),
    ("formation-linguistique", "Formation linguistique"),
    ("emploi", "Emploi"),
    ("formation-professionnelle", "Formation professionnelle"),
    ("sport-culture", "Sport et culture"),
    ("mobilite", "Mobilité"),
    ("garde-enfants", "Garde d'enfants"),
    ("coordination-linguistique", "Coordination linguistique"),
    ("accompagnement-social", "Accompagnement social"),
    ("inclusion-numerique", "Inclusion numérique"),
    ("lien-societe-accueil", "Lien avec la société d'accueil"),
    ("pilotage-coordination", "Pilotage et coordination"),
]

BUDGET_LINES = [
    ("104-15", "Programme 104, action 15 — Accompagnement des réfugiés"),
    ("104-12", "Programme 104, action 12 — Accueil des étrangers primo-arrivants"),
]

NOTES_2021 = (
    "Source : plaquette « Territoires d'intégration » de mai 2021 (enveloppe de 9 000 000 €, socle de "
    "150 000 € à 300 000 €, lettre d'engagement avant le 31/12/2021 pour une signature en 2022, au moins "
    "une action d'accès au logement dans un CTAI, au moins un domaine pour un PTAI sans montant minimum, "
    "PTAI réservé aux BPI seulement avec justification et perspective d'élargissement, signataires sans "
    "justification : métropoles, communautés urbaines, départements, régions).\n"
    "Hypothèses (non fixées par la plaquette) : plafond des crédits complémentaires 150 000 € ; seuil "
    "d'évaluation qualitative 100 000 € ; avance de 50 %."
)
NOTES_2022 = (
    "Comme 2021, plus la règle de la circulaire du 25 janvier 2022 : un projet couvre au moins deux "
    "domaines, dont le logement (appliquée aux programmations de CTAI et aux PTAI).\n"
    "Hypothèses : enveloppe nationale 2022 égale à celle de 2021 (9 000 000 €) ; plafond des crédits "
    "complémentaires 150 000 € ; seuil d'évaluation qualitative 100 000 € ; avance de 50 % ; lettre "
    "d'engagement avant le 31/12/2022 pour une signature en 2023."
)

SIGNATORIES = ["CU", "MET69", "METRO", "departement", "region"]


def seed(apps, schema_editor):
    Domain = apps.get_model("programme", "Domain")
    BudgetLine = apps.get_model("programme", "BudgetLine")
    Campaign = apps.get_model("programme", "Campaign")
    for position, (code, label) in enumerate(DOMAINS, start=1):
        Domain.objects.get_or_create(code=code, defaults={"label": label, "position": position})
    for code, label in BUDGET_LINES:
        BudgetLine.objects.get_or_create(code=code, defaults={"label": label})
    housing = Domain.objects.get(code="logement")
    lines = list(BudgetLine.objects.all())
    common = {
        "national_envelope": Decimal("9000000.00"),
        "base_min": Decimal("150000.00"),
        "base_max": Decimal("300000.00"),
        "complement_rule": "proportional",
        "complement_cap": Decimal("150000.00"),
        "signatory_natures": SIGNATORIES,
        "evaluation_threshold": Decimal("100000.00"),
        "bpi_only_needs_justification": True,
        "advance_rate": Decimal("50.00"),
    }
    years = {
        2021: {"letter_deadline": date(2021, 12, 31), "ctai_min_domains": 1, "ptai_min_domains": 1, "notes": NOTES_2021},
        2022: {"letter_deadline": date(2022, 12, 31), "ctai_min_domains": 2, "ptai_min_domains": 2, "notes": NOTES_2022},
    }
    for year, values in years.items():
        campaign, created = Campaign.objects.get_or_create(year=year, defaults={**common, **values})
        if not created:
            continue
        campaign.budget_lines.set(lines)
        campaign.ctai_mandatory_domains.set([housing])
        if year >= 2022:
            campaign.ptai_mandatory_domains.set([housing])


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
