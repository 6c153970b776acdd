"""The public side of the demo: each demo département's préfecture (attributing service, SIRET) and
local referents (F08), the SIRET of the collectivités funded in the demo, then the open-data files
and the catalogue published once.

The SIRET are demo values: the collectivités' SIREN are the real ones of the referential, their
establishment number (NIC) is made up with a valid check digit (Luhn); the préfectures' SIRET are
made up the same way. An administrator keeps the real ones (Django admin, "Côté public")."""

from __future__ import annotations

from contracts.models import Contract
from core.validators import siret_from
from projects.models import Project
from public.models import BeneficiaryIdentity, Referent
from public.services import PublishResult, publish
from referential.models import Authority, Department, Prefecture

# Every département where the demo instructs a PTAI or signs a CTAI.
DEMO_DEPARTMENTS = ("21", "29", "31", "33", "34", "35", "38", "44", "54", "63", "67", "69", "86")

DDETS = "Direction départementale de l'emploi, du travail et des solidarités"
# The préfectures' addresses (their letters are dated from there).
PREFECTURE_ADDRESSES = {
    "21": ("53 rue de la Préfecture", "21000", "Dijon"),
    "29": ("42 boulevard Dupleix", "29000", "Quimper"),
    "31": ("1 place Saint-Étienne", "31000", "Toulouse"),
    "33": ("2 esplanade Charles-de-Gaulle", "33000", "Bordeaux"),
    "34": ("34 place des Martyrs-de-la-Résistance", "34000", "Montpellier"),
    "35": ("3 avenue de la Préfecture", "35000", "Rennes"),
    "38": ("12 place de Verdun", "38000", "Grenoble"),
    "44": ("6 quai Ceineray", "44000", "Nantes"),
    "54": ("6 rue Sainte-Catherine", "54000", "Nancy"),
    "63": ("18 boulevard Desaix", "63000", "Clermont-Ferrand"),
    "67": ("5 place de la République", "67000", "Strasbourg"),
    "69": ("106 rue Pierre-Corneille", "69003", "Lyon"),
    "86": ("7 place Aristide-Briand", "86000", "Poitiers"),
}


def demo_siret(prefix: str) -> str:
    """A 14-digit SIRET starting with `prefix` (a SIREN, or a made-up State number) whose Luhn key holds."""
    return siret_from(prefix + "0001")


def seed_demo_public() -> PublishResult:
    for department in Department.objects.filter(code__in=DEMO_DEPARTMENTS):
        street, postcode, city = PREFECTURE_ADDRESSES[department.code]
        Prefecture.objects.get_or_create(
            department=department,
            defaults={
                "name": department.prefecture_name,  # "Préfecture de l'Isère", from INSEE's link word
                "siret": demo_siret("1" + department.code.zfill(3) + "00000"),
                "street": street,
                "postcode": postcode,
                "city": city,
            },
        )
        if not Referent.objects.filter(department=department).exists():
            Referent.objects.bulk_create(
                [
                    Referent(
                        department=department,
                        service=f"{department.prefecture_name} — direction de la citoyenneté et de l'intégration",
                        role="Référent Territoires d'intégration (CTAI et PTAI)",
                        email=f"pref-integration-{department.code}@demo.territoires-integration.fr",
                        phone=f"04 00 00 {department.code.zfill(2)[:2]} 00",
                        position=0,
                    ),
                    Referent(
                        department=department,
                        service=f"{DDETS} ({department.code})",
                        role="Accès au logement et à l'emploi des réfugiés",
                        email=f"ddets-refugies-{department.code}@demo.territoires-integration.fr",
                        phone="",
                        position=1,
                    ),
                ]
            )
    funded = set(Project.objects.values_list("lead_authority_id", flat=True))
    funded |= set(Contract.objects.values_list("authority_id", flat=True))
    for authority in Authority.objects.filter(pk__in=funded).exclude(siren=""):
        BeneficiaryIdentity.objects.get_or_create(authority=authority, defaults={"siret": demo_siret(authority.siren)})
    return publish()


def summary(result: PublishResult) -> str:
    return (
        f"{result.awards} attribution(s), {result.published} publiée(s) en SCDL et 360Giving, "
        f"{result.catalogue} action(s) au catalogue public."
    )
