"""Demo PTAI for 2021 and 2022, in every state, in five départements — written ONLY through
`projects.services` (create_draft, set_budget, set_contributions, apply_transition) with the demo
actors, so the transition log, the audit trail, the delegations, the commitments and the payments
are real.

Isère (38) and Rhône (69) hold a file in each of the 14 states, and so do Puy-de-Dôme (63),
Loire-Atlantique (44) and Côte-d'Or (21), where the demo has an instructeur and a préfet too:
every demo State account finds, in its own scope, files in every state.

The flyer's five examples of 2020 (F44), each as the flyer gives it, funded on campaign 2021:
Clermont-Ferrand's mental health care for BPI (100 000 €), Dijon Métropole's personalised
support of BPI and cooperation of the partners (300 000 €), Grenoble-Alpes-Métropole's
pre-qualifying course for home care assistants for BPI (20 000 €), Châteaubriant's settling of
newcomers in a semi-rural employment area (50 000 €), and the network of language reception,
assessment and guidance platforms of the Région Occitanie with two départements and three
métropoles (420 000 €, one project with its partners, F45), instructed in Haute-Garonne (31), the
région's préfecture, by the accounts of `demo.accounts.OCCITANIE_ACCOUNTS` and the préfet of the
CTAI demo.

Money: the blocks `demo/finance.py` delegates to régions and départements are for the CTAI; a PTAI
draws on the national envelope of its line, 104-15 (BPI only) or 104-12 (all newcomers). At
`delegate_credits` the Ministère delegates exactly the granted amount to the file's département
(through the région when the département's envelope receives from it, or when it has none yet and
the région has one on that line), linked to the file; at `commit` the préfet commits it on the
département's envelope and pays the advance; at `close` he pays the balance and releases the rest.
So every demo département may fund files of both lines: the first delegation for a file creates
the département's envelope of a line it had no credits on (104-12 for Puy-de-Dôme, Côte-d'Or and
Haute-Garonne). The national credits of 2021 and 2022 cover every demo file granted.

Idempotent: the accounts of `OCCITANIE_ACCOUNTS` (and the préfet of Haute-Garonne) are created when
missing; the files once — nothing is done once a demo agent has created one of these files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from core.validators import siret_from
from demo.accounts import DEMO_DOMAIN, OCCITANIE_ACCOUNTS, DemoAccount, seed_demo_accounts
from demo.reports import accept_final_report
from demo.story import StoryClock
from programme.enums import ContributionKind, TargetPublic
from programme.models import Campaign, Domain
from projects.enums import CarrierKind, Opinion, ProjectState, ResourceKind, TransitionName
from projects.models import Project
from projects.services import apply_transition, create_draft, set_budget, set_contributions, update_draft
from referential.enums import AuthorityKind
from referential.models import Authority, Department

S = ProjectState
T = TransitionName
HOUSING = "logement"
MINISTRY = "ministere"

# The demo agents and the collectivité each one works for: (kind, code, name used in the texts).
AGENTS = {
    "agent.grenoble": (AuthorityKind.EPCI, "200040715", "Grenoble-Alpes-Métropole"),
    "agent.voiron": (AuthorityKind.COMMUNE, "38563", "Voiron"),
    "agent.lyon": (AuthorityKind.EPCI, "200046977", "la Métropole de Lyon"),
    "agent.clermont": (AuthorityKind.COMMUNE, "63113", "Clermont-Ferrand"),
    "agent.chateaubriant": (AuthorityKind.COMMUNE, "44036", "Châteaubriant"),
    "agent.dijon": (AuthorityKind.EPCI, "242100410", "Dijon Métropole"),
    "agent.occitanie": (AuthorityKind.REGION, "76", "la Région Occitanie"),
}
# The State services of each instructing département (demo/accounts.py).
INSTRUCTORS = {
    "38": "instructeur.isere",
    "69": "instructeur.rhone",
    "63": "instructeur.puy-de-dome",
    "44": "instructeur.loire-atlantique",
    "21": "instructeur.cote-d-or",
    "31": "instructeur.haute-garonne",
}
PREFECTS = {
    "38": "prefet.isere",
    "69": "prefet.rhone",
    "63": "prefet.puy-de-dome",
    "44": "prefet.loire-atlantique",
    "21": "prefet.cote-d-or",
    "31": "prefet.haute-garonne",  # a CTAI demo account (demo.ctai.CTAI_ACCOUNTS)
}
# Other co-funders by département: the CAF, the Région, the ARS for health projects.
CAF = {
    "38": "CAF de l'Isère",
    "69": "CAF du Rhône",
    "63": "CAF du Puy-de-Dôme",
    "44": "CAF de Loire-Atlantique",
    "21": "CAF de la Côte-d'Or",
}
REGION = {
    "38": "Région Auvergne-Rhône-Alpes",
    "69": "Région Auvergne-Rhône-Alpes",
    "63": "Région Auvergne-Rhône-Alpes",
    "44": "Région Pays de la Loire",
    "21": "Région Bourgogne-Franche-Comté",
}
ARS = {
    "38": "ARS Auvergne-Rhône-Alpes",
    "69": "ARS Auvergne-Rhône-Alpes",
    "63": "ARS Auvergne-Rhône-Alpes",
    "44": "ARS Pays de la Loire",
    "21": "ARS Bourgogne-Franche-Comté",
}

# Fictitious associations carrying some actions. Their SIREN starts with 99 (no real company has
# one), the SIRET's last digit is the Luhn key.
ASSOCIATIONS = {
    "38": ["Association Trait d'Union Alpes", "Association Horizons Partagés Isère"],
    "69": ["Association Les Passerelles du Rhône", "Association Langues et Cités"],
    "63": ["Association Volcans Terre d'Accueil", "Association Arverne Solidarités"],
    "44": ["Association Accueil en Pays de la Mée", "Association Estuaire Solidaire"],
    "21": ["Association Bourgogne Terre d'Accueil", "Association Parcours Côte-d'Or"],
}


def demo_siret(department: str, number: int) -> str:
    """A fictitious, Luhn-valid SIRET: SIREN 99<dép.><n>, NIC 0001<key>."""
    return siret_from(f"99{int(department):02d}{number:05d}0001")


def demo_rna(department: str, number: int) -> str:
    return f"W{int(department):02d}9{number:06d}"


@dataclass(frozen=True)
class Theme:
    title: str
    summary: str  # {lieu}: the collectivité
    domains: tuple[str, ...]
    expenses: tuple[tuple[str, int], ...]  # nature, weight (%)
    in_kind: tuple[str, str]  # the collectivité's engagement besides its co-funding
    other_funder: str = "caf"  # "caf", "region", "ars" or "" (none)
    bpi_justification: str = ""
    widening_perspective: str = ""


STAFF_HEAVY = (
    ("Frais de personnel", 55),
    ("Interprétariat", 12),
    ("Location de salles", 10),
    ("Transport des bénéficiaires", 8),
    ("Frais de fonctionnement et de coordination", 15),
)
WORKSHOPS = (
    ("Frais de personnel (formateurs)", 50),
    ("Location de salles", 15),
    ("Supports pédagogiques", 10),
    ("Interprétariat", 10),
    ("Transport des bénéficiaires", 15),
)
HOUSING_COSTS = (
    ("Frais de personnel (travailleurs sociaux)", 45),
    ("Loyers et charges des logements en bail glissant", 35),
    ("Équipement des logements", 10),
    ("Interprétariat", 10),
)

THEMES: dict[str, Theme] = {
    "linguistique": Theme(
        "Ateliers sociolinguistiques à visée professionnelle",
        "Des ateliers sociolinguistiques de 6 heures par semaine pour les primo-arrivants de {lieu}, "
        "centrés sur le vocabulaire du travail, en complément des heures de français du contrat "
        "d'intégration républicaine, avec des visites d'entreprises du territoire.",
        ("formation-linguistique", "emploi"),
        WORKSHOPS,
        (
            ContributionKind.ROOM,
            "Mise à disposition de deux salles de la maison des habitants, quatre demi-journées par semaine.",
        ),
    ),
    "sante-mentale": Theme(
        "Consultations de soutien psychologique et d'ethnopsychiatrie pour les réfugiés",
        "Des consultations de psychologues formés au psychotraumatisme, avec interprète, pour les "
        "bénéficiaires de la protection internationale de {lieu}, et des groupes de parole orientés "
        "vers le centre médico-psychologique.",
        ("sante", "accompagnement-social"),
        STAFF_HEAVY,
        (ContributionKind.SOURCING, "Repérage et orientation des personnes par les travailleurs sociaux du CCAS."),
        other_funder="ars",
        bpi_justification="Les troubles liés à l'exil et aux violences subies concernent d'abord les réfugiés, "
        "que les structures de droit commun accueillent avec des délais de plus de six mois.",
        widening_perspective="Ouverture des groupes de parole aux autres primo-arrivants à partir de la deuxième "
        "année, une fois l'équipe d'interprètes constituée.",
    ),
    "logement-glissant": Theme(
        "Bail glissant et accompagnement vers le logement autonome",
        "Une vingtaine de logements du parc social de {lieu} loués en bail glissant, avec un "
        "accompagnement social de douze mois jusqu'au glissement du bail au nom des ménages.",
        (HOUSING, "accompagnement-social"),
        HOUSING_COSTS,
        (ContributionKind.STAFF, "Un agent du service habitat à mi-temps pour le lien avec les bailleurs sociaux."),
        bpi_justification="Les réfugiés sortant des centres d'hébergement n'ont ni historique locatif ni garant : "
        "le bail glissant répond à ce blocage propre à leur situation.",
        widening_perspective="Les logements libérés après glissement seront proposés à d'autres primo-arrivants "
        "suivis par le CCAS.",
    ),
    "mobilite": Theme(
        "Plateforme mobilité : permis de conduire et location solidaire de véhicules",
        "Un accompagnement au code et à la conduite, des vélos et scooters loués à tarif solidaire pour "
        "rejoindre les zones d'activité de {lieu} mal desservies par les transports en commun.",
        ("mobilite", "emploi"),
        (
            ("Frais de personnel", 40),
            ("Heures de conduite en auto-école sociale", 30),
            ("Location et entretien des véhicules", 20),
            ("Interprétariat", 10),
        ),
        (
            ContributionKind.COMMUNICATION,
            "Relais de l'action dans le magazine et auprès des entreprises du territoire.",
        ),
        other_funder="region",
    ),
    "numerique": Theme(
        "Ateliers d'inclusion numérique et accès aux droits en ligne",
        "Des ateliers en petits groupes pour créer ses comptes (France Travail, CAF, ANEF), un "
        "équipement reconditionné prêté aux familles et une permanence de conseillers numériques à {lieu}.",
        ("inclusion-numerique", "acces-droits"),
        WORKSHOPS,
        (ContributionKind.ROOM, "Mise à disposition de l'espace public numérique de la médiathèque."),
    ),
    "garde": Theme(
        "Halte-garderie pour les parents en formation linguistique",
        "Des places de halte-garderie réservées pendant les cours de français, pour que les mères de "
        "jeunes enfants arrivées à {lieu} puissent suivre leur parcours d'intégration.",
        ("garde-enfants", "formation-linguistique"),
        (
            ("Frais de personnel (auxiliaires de puériculture)", 60),
            ("Location de salles", 15),
            ("Matériel éducatif", 10),
            ("Transport des bénéficiaires", 15),
        ),
        (
            ContributionKind.STAFF,
            "Une éducatrice de jeunes enfants du multi-accueil municipal, deux jours par semaine.",
        ),
    ),
    "emploi": Theme(
        "Parcours vers l'emploi dans les métiers en tension",
        "Un parcours de six mois vers la logistique, le bâtiment et l'hôtellerie-restauration pour les "
        "primo-arrivants de {lieu} : immersions en entreprise, français professionnel et suivi après "
        "l'embauche, avec France Travail.",
        ("emploi", "formation-professionnelle"),
        STAFF_HEAVY,
        (ContributionKind.SOURCING, "Repérage du public par les maisons de l'emploi et le CCAS."),
        other_funder="region",
    ),
    "sport-culture": Theme(
        "Accueil par le sport et la culture",
        "Des licences sportives prises en charge, des sorties culturelles en famille et un pass "
        "musées pour créer du lien entre les nouveaux arrivants et les habitants de {lieu}.",
        ("sport-culture", "lien-societe-accueil"),
        (
            ("Licences et adhésions", 35),
            ("Billetterie et sorties", 30),
            ("Transport des bénéficiaires", 20),
            ("Frais de personnel (coordination)", 15),
        ),
        (ContributionKind.COMMUNICATION, "Relais auprès des clubs et des équipements culturels municipaux."),
        other_funder="",
    ),
    "parrainage": Theme(
        "Parrainage citoyen et binômes d'accueil",
        "Des binômes entre habitants bénévoles et familles nouvellement arrivées à {lieu}, formés et "
        "suivis par une coordinatrice, pour les premières démarches et la vie du quartier.",
        ("lien-societe-accueil", "acces-droits"),
        (
            ("Frais de personnel (coordination)", 60),
            ("Formation des bénévoles", 20),
            ("Location de salles", 10),
            ("Frais de déplacement", 10),
        ),
        (
            ContributionKind.COMMUNICATION,
            "Appel aux bénévoles dans le journal municipal et sur les réseaux de la ville.",
        ),
        other_funder="",
    ),
    "coordination": Theme(
        "Coordination territoriale de l'accueil des primo-arrivants",
        "Un poste de coordinateur qui anime le réseau des acteurs de l'accueil de {lieu}, tient le "
        "répertoire de l'offre de français et organise un comité de suivi trimestriel.",
        ("pilotage-coordination", "coordination-linguistique"),
        (
            ("Frais de personnel (coordinateur)", 75),
            ("Location de salles", 10),
            ("Frais de fonctionnement", 15),
        ),
        (ContributionKind.STAFF, "Hébergement du poste au sein de la direction de la cohésion sociale."),
        other_funder="",
    ),
    "jeunes": Theme(
        "Accompagnement des jeunes réfugiés de 18 à 25 ans vers la formation",
        "Un accompagnement renforcé des jeunes réfugiés de {lieu}, sans accès au RSA avant 25 ans : "
        "aide aux ressources, inscription en formation qualifiante et en apprentissage.",
        ("formation-professionnelle", "accompagnement-social"),
        STAFF_HEAVY,
        (ContributionKind.SOURCING, "Orientation des jeunes par la mission locale et le CCAS."),
        other_funder="region",
        bpi_justification="Les jeunes réfugiés de moins de 25 ans n'ont pas accès au RSA : sans ressources, "
        "ils abandonnent les formations ; les autres primo-arrivants relèvent des dispositifs de droit commun.",
        widening_perspective="Accueil des jeunes primo-arrivants hors BPI orientés par la mission locale "
        "dans la limite de 20 % des places dès la deuxième année.",
    ),
    "femmes": Theme(
        "Parcours d'autonomie pour les femmes primo-arrivantes",
        "Des ateliers collectifs (droits, santé, budget, français) et un accompagnement individuel "
        "pour les femmes arrivées à {lieu} par le regroupement familial ou l'asile.",
        ("acces-droits", "formation-linguistique"),
        WORKSHOPS,
        (ContributionKind.ROOM, "Mise à disposition d'une salle du centre social avec un espace enfants."),
    ),
    "guichet": Theme(
        "Guichet unique d'accès aux droits et interprétariat",
        "Une permanence hebdomadaire avec interprètes à {lieu} pour ouvrir les droits (santé, CAF, "
        "titre de séjour, scolarisation) dans le mois de l'arrivée.",
        ("acces-droits", "accompagnement-social"),
        STAFF_HEAVY,
        (ContributionKind.STAFF, "Deux agents d'accueil du CCAS formés à l'accès aux droits des étrangers."),
    ),
    "sante-acces": Theme(
        "Médiation en santé et ouverture des droits à l'assurance maladie",
        "Une médiatrice en santé à {lieu} accompagne les primo-arrivants vers un médecin traitant, "
        "l'ouverture de la complémentaire santé solidaire et les bilans de santé.",
        ("sante", "acces-droits"),
        STAFF_HEAVY,
        (ContributionKind.SOURCING, "Orientation par les centres de santé municipaux et la PMI."),
        other_funder="ars",
    ),
    "hebergement-citoyen": Theme(
        "Hébergement citoyen et accompagnement vers le logement",
        "Des familles d'accueil bénévoles de {lieu} hébergent des réfugiés pendant trois à neuf mois, "
        "le temps d'une recherche de logement accompagnée par un travailleur social.",
        (HOUSING, "lien-societe-accueil"),
        HOUSING_COSTS,
        (ContributionKind.COMMUNICATION, "Appel aux familles hébergeuses relayé par la collectivité."),
    ),
    "interpretariat": Theme(
        "Service d'interprétariat professionnel mutualisé",
        "Un service d'interprétariat par téléphone et sur place, mutualisé entre les services de {lieu}, "
        "les centres de santé et les écoles, en 25 langues.",
        ("acces-droits", "sante"),
        (
            ("Interprétariat", 70),
            ("Frais de personnel (coordination)", 20),
            ("Frais de fonctionnement", 10),
        ),
        (ContributionKind.COFUNDING, "Prise en charge des heures d'interprétariat des services municipaux."),
        other_funder="ars",
    ),
    # The flyer's examples of 2020 (F44), each as the flyer gives it.
    "clermont-sante-mentale": Theme(
        "Structure de soins spécialisée en santé mentale pour les bénéficiaires de la protection internationale",
        "{lieu} soutient le développement d'une structure de soins ambulatoires spécialisée en santé "
        "mentale : une équipe de psychologues, un psychiatre à temps partiel et des interprètes pour les "
        "réfugiés en souffrance psychique du fait de parcours d'exil traumatiques, en lien avec le CHU et "
        "le centre médico-psychologique.",
        ("sante", "accompagnement-social"),
        (
            ("Frais de personnel (psychologues, psychiatre)", 60),
            ("Interprétariat", 20),
            ("Location de salles", 10),
            ("Transport des bénéficiaires", 10),
        ),
        (ContributionKind.ROOM, "Mise à disposition de locaux municipaux rénovés pour les consultations."),
        other_funder="ars",
        bpi_justification="Les réfugiés accueillis à Clermont-Ferrand présentent des psychotraumatismes liés à "
        "l'exil et à la guerre ; le droit commun ne propose ni interprètes ni prise en charge spécialisée.",
        widening_perspective="Ouverture progressive aux autres primo-arrivants orientés par le CHU, "
        "après évaluation de la première année.",
    ),
    "dijon-accompagnement": Theme(
        "Accompagnement personnalisé des réfugiés et coopération des partenaires de l'accueil",
        "Un accompagnement individuel de dix-huit mois pour chaque bénéficiaire de la protection "
        "internationale installé sur le territoire de {lieu}, pour qu'il s'approprie son nouvel "
        "environnement : un référent unique pour le logement, l'emploi, la santé et le français. Des "
        "rencontres régulières réunissent les partenaires de l'accueil (services de l'État, CCAS, "
        "associations, bailleurs sociaux, France Travail) pour qu'ils se connaissent et coopèrent.",
        ("accompagnement-social", "pilotage-coordination"),
        STAFF_HEAVY,
        (ContributionKind.STAFF, "Trois référents de parcours de la métropole dédiés au projet."),
        other_funder="caf",
        bpi_justification="Les réfugiés arrivent sur la métropole sans repères ni réseau, souvent après des "
        "mois d'hébergement collectif : l'accompagnement global qu'ils requièrent n'existe pas dans le droit "
        "commun, et leurs interlocuteurs ne se coordonnent pas.",
        widening_perspective="Les rencontres des partenaires sont ouvertes à tous les acteurs de l'accueil des "
        "primo-arrivants dès la première année ; l'accompagnement individuel le sera à partir de la deuxième.",
    ),
    "grenoble-auxiliaire": Theme(
        "Formation pré-qualifiante au métier d'auxiliaire de vie pour les réfugiés",
        "Une formation pré-qualifiante de quatre mois pour les bénéficiaires de la protection "
        "internationale de {lieu}, alternant formation linguistique et immersion chez les employeurs "
        "de l'aide à domicile, vers le métier d'auxiliaire de vie.",
        ("formation-professionnelle", "formation-linguistique"),
        WORKSHOPS,
        (ContributionKind.SOURCING, "Repérage du public par les CCAS des communes de la métropole."),
        other_funder="region",
        bpi_justification="Beaucoup de réfugiés suivis par la métropole ont travaillé dans le soin avant l'exil, "
        "sans diplôme reconnu en France ; les formations qualifiantes de droit commun exigent un niveau de "
        "français qu'ils n'ont pas encore.",
        widening_perspective="Les sessions suivantes seront ouvertes aux autres primo-arrivants orientés par "
        "France Travail, une fois le partenariat avec les employeurs de l'aide à domicile consolidé.",
    ),
    "chateaubriant-installation": Theme(
        "Installation de nouveaux arrivants dans le bassin d'emploi de Châteaubriant",
        "Les entreprises de l'agroalimentaire et de la métallurgie du bassin d'emploi de {lieu}, "
        "territoire semi-rural, recrutent : le projet y favorise l'installation de primo-arrivants venus "
        "de la métropole nantaise, trouve leur logement, organise le transport vers les sites et "
        "accompagne les familles dans la commune.",
        (HOUSING, "emploi", "mobilite"),
        (
            ("Frais de personnel (chargée d'accueil)", 40),
            ("Location de logements temporaires", 25),
            ("Transport des bénéficiaires", 20),
            ("Interprétariat", 5),
            ("Frais de fonctionnement", 10),
        ),
        (ContributionKind.STAFF, "Une chargée d'accueil municipale à mi-temps, référente des familles."),
        other_funder="region",
    ),
    # Led by the Région with its partners (F45), who co-fund it: no other co-funder.
    "occitanie-plateformes": Theme(
        "Réseau régional de plateformes d'accueil, d'évaluation et d'orientation linguistique",
        "Un réseau de plateformes, développé par {lieu} avec les départements de la Haute-Garonne et "
        "de l'Hérault et les métropoles de Toulouse, Montpellier et Perpignan, qui accueillent les "
        "primo-arrivants, évaluent leur niveau de français et les orientent vers la formation "
        "linguistique qui leur convient, pour des parcours d'apprentissage cohérents d'un territoire "
        "à l'autre.",
        ("formation-linguistique", "coordination-linguistique", "pilotage-coordination"),
        (
            ("Frais de personnel (évaluateurs et conseillers en orientation)", 55),
            ("Coordination régionale du réseau", 15),
            ("Outils d'évaluation et système d'information partagé", 10),
            ("Location de salles", 10),
            ("Interprétariat", 10),
        ),
        (ContributionKind.STAFF, "La coordination régionale du réseau, assurée par la direction de la formation."),
        other_funder="",
    ),
}

HOUSING_2022 = (
    " Volet logement : recherche de logement avec les bailleurs sociaux et accompagnement à l'entrée "
    "dans les lieux (règle de la campagne 2022)."
)


@dataclass(frozen=True)
class DemoFile:
    department: str
    year: int
    state: str
    agent: str
    theme: str
    amount: int  # requested from the State (€)
    bpi_only: bool = False
    association: int | None = None  # index in ASSOCIATIONS[department]; None: the collectivité carries it
    granted: int | None = None  # default: the amount requested
    final: int | None = None  # closing: the amount spent (default: the commitment)
    sent_back: bool = False  # in_review after a send-back by the Ministère
    partners: tuple[tuple[str, str], ...] = ()  # partner collectivités (F45): (kind, INSEE code or SIREN)
    extra: dict[str, Any] = field(default_factory=dict)


F = DemoFile
DEMO_FILES: list[DemoFile] = [
    # Isère (38): Grenoble-Alpes-Métropole and Voiron.
    F("38", 2021, S.CLOSED, "agent.grenoble", "grenoble-auxiliaire", 20000, bpi_only=True, final=18500),
    F("38", 2021, S.FUNDED, "agent.grenoble", "sante-mentale", 85000, bpi_only=True, association=0),
    F("38", 2021, S.CLOSED, "agent.grenoble", "logement-glissant", 60000, bpi_only=True, association=1),
    F("38", 2021, S.MINISTRY_REFUSED, "agent.voiron", "mobilite", 30000),
    F("38", 2021, S.PREFECT_REFUSED, "agent.voiron", "sport-culture", 12000),
    F("38", 2021, S.DISMISSED, "agent.grenoble", "numerique", 18000),
    F("38", 2021, S.WITHDRAWN, "agent.voiron", "garde", 15000),
    F("38", 2022, S.DRAFT, "agent.voiron", "parrainage", 9000),
    F("38", 2022, S.SUBMITTED, "agent.grenoble", "femmes", 25000),
    F("38", 2022, S.IN_REVIEW, "agent.grenoble", "coordination", 40000, sent_back=True),
    F("38", 2022, S.IN_REVIEW, "agent.voiron", "guichet", 22000),
    F("38", 2022, S.CORRECTION_REQUESTED, "agent.voiron", "linguistique", 28000, association=0),
    F("38", 2022, S.REVIEWED, "agent.grenoble", "jeunes", 45000, bpi_only=True, association=1),
    F("38", 2022, S.PREFECT_APPROVED, "agent.grenoble", "emploi", 55000),
    F("38", 2022, S.MINISTRY_APPROVED, "agent.voiron", "sante-acces", 35000, granted=30000),
    F("38", 2022, S.CREDITS_DELEGATED, "agent.voiron", "interpretariat", 24000),
    F("38", 2022, S.FUNDED, "agent.grenoble", "hebergement-citoyen", 50000, granted=45000),
    # Rhône (69): Métropole de Lyon.
    F("69", 2021, S.CLOSED, "agent.lyon", "linguistique", 70000, association=1),
    F("69", 2021, S.FUNDED, "agent.lyon", "jeunes", 120000, bpi_only=True, association=0),
    F("69", 2021, S.MINISTRY_REFUSED, "agent.lyon", "sport-culture", 40000),
    F("69", 2021, S.PREFECT_REFUSED, "agent.lyon", "garde", 25000),
    F("69", 2021, S.DISMISSED, "agent.lyon", "parrainage", 15000),
    F("69", 2021, S.WITHDRAWN, "agent.lyon", "numerique", 20000),
    F("69", 2022, S.DRAFT, "agent.lyon", "interpretariat", 30000),
    F("69", 2022, S.SUBMITTED, "agent.lyon", "mobilite", 35000),
    F("69", 2022, S.IN_REVIEW, "agent.lyon", "femmes", 45000),
    F("69", 2022, S.CORRECTION_REQUESTED, "agent.lyon", "coordination", 60000),
    F("69", 2022, S.REVIEWED, "agent.lyon", "sante-mentale", 80000, bpi_only=True, association=0),
    F("69", 2022, S.PREFECT_APPROVED, "agent.lyon", "guichet", 50000),
    F("69", 2022, S.MINISTRY_APPROVED, "agent.lyon", "emploi", 90000, granted=80000),
    F("69", 2022, S.CREDITS_DELEGATED, "agent.lyon", "hebergement-citoyen", 55000),
    F("69", 2022, S.FUNDED, "agent.lyon", "logement-glissant", 65000),
    F("69", 2022, S.CLOSED, "agent.lyon", "sante-acces", 30000),
    # Puy-de-Dôme (63): Clermont-Ferrand. The blocks delegated to it are on 104-15 only: the first
    # delegation on 104-12 (credits_delegated) creates its envelope of that line, under the région's.
    F("63", 2021, S.FUNDED, "agent.clermont", "clermont-sante-mentale", 100000, bpi_only=True),
    F("63", 2021, S.CLOSED, "agent.clermont", "jeunes", 40000, bpi_only=True, association=0),
    F("63", 2021, S.MINISTRY_REFUSED, "agent.clermont", "emploi", 35000),
    F("63", 2021, S.PREFECT_REFUSED, "agent.clermont", "sport-culture", 10000),
    F("63", 2021, S.DISMISSED, "agent.clermont", "garde", 14000),
    F("63", 2021, S.WITHDRAWN, "agent.clermont", "mobilite", 18000),
    F("63", 2022, S.DRAFT, "agent.clermont", "parrainage", 8000),
    F("63", 2022, S.SUBMITTED, "agent.clermont", "linguistique", 24000, association=1),
    F("63", 2022, S.IN_REVIEW, "agent.clermont", "guichet", 20000),
    F("63", 2022, S.CORRECTION_REQUESTED, "agent.clermont", "numerique", 12000),
    F("63", 2022, S.REVIEWED, "agent.clermont", "femmes", 22000),
    F("63", 2022, S.PREFECT_APPROVED, "agent.clermont", "coordination", 30000),
    F("63", 2022, S.MINISTRY_APPROVED, "agent.clermont", "logement-glissant", 45000, bpi_only=True),
    F("63", 2022, S.CREDITS_DELEGATED, "agent.clermont", "sante-acces", 26000),
    # Loire-Atlantique (44): Châteaubriant.
    F("44", 2021, S.CLOSED, "agent.chateaubriant", "chateaubriant-installation", 50000),
    F("44", 2022, S.FUNDED, "agent.chateaubriant", "sante-acces", 30000),
    F("44", 2021, S.MINISTRY_REFUSED, "agent.chateaubriant", "numerique", 15000),
    F("44", 2021, S.PREFECT_REFUSED, "agent.chateaubriant", "sport-culture", 8000),
    F("44", 2021, S.DISMISSED, "agent.chateaubriant", "parrainage", 6000),
    F("44", 2021, S.WITHDRAWN, "agent.chateaubriant", "garde", 12000),
    F("44", 2022, S.DRAFT, "agent.chateaubriant", "femmes", 14000),
    F("44", 2022, S.SUBMITTED, "agent.chateaubriant", "emploi", 26000),
    F("44", 2022, S.IN_REVIEW, "agent.chateaubriant", "guichet", 18000),
    F("44", 2022, S.CORRECTION_REQUESTED, "agent.chateaubriant", "linguistique", 20000, association=0),
    F("44", 2022, S.REVIEWED, "agent.chateaubriant", "jeunes", 25000, bpi_only=True, association=1),
    F("44", 2022, S.PREFECT_APPROVED, "agent.chateaubriant", "coordination", 16000),
    F("44", 2022, S.MINISTRY_APPROVED, "agent.chateaubriant", "logement-glissant", 28000),
    F("44", 2022, S.CREDITS_DELEGATED, "agent.chateaubriant", "mobilite", 22000),
    # Côte-d'Or (21): Dijon Métropole. The région has no 104-12 credits: the first delegation on
    # 104-12 (credits_delegated) creates the département's envelope of that line, under the national one.
    F("21", 2021, S.FUNDED, "agent.dijon", "dijon-accompagnement", 300000, bpi_only=True),
    F("21", 2021, S.CLOSED, "agent.dijon", "sante-mentale", 60000, bpi_only=True, association=0),
    F("21", 2022, S.FUNDED, "agent.dijon", "jeunes", 80000, bpi_only=True, association=1),
    F("21", 2021, S.MINISTRY_REFUSED, "agent.dijon", "emploi", 70000),
    F("21", 2021, S.PREFECT_REFUSED, "agent.dijon", "sport-culture", 20000),
    F("21", 2021, S.DISMISSED, "agent.dijon", "numerique", 25000),
    F("21", 2021, S.WITHDRAWN, "agent.dijon", "mobilite", 30000),
    F("21", 2022, S.DRAFT, "agent.dijon", "parrainage", 15000),
    F("21", 2022, S.SUBMITTED, "agent.dijon", "linguistique", 45000),
    F("21", 2022, S.IN_REVIEW, "agent.dijon", "guichet", 35000),
    F("21", 2022, S.CORRECTION_REQUESTED, "agent.dijon", "femmes", 30000),
    F("21", 2022, S.REVIEWED, "agent.dijon", "coordination", 40000),
    F("21", 2022, S.PREFECT_APPROVED, "agent.dijon", "garde", 20000),
    F("21", 2022, S.MINISTRY_APPROVED, "agent.dijon", "logement-glissant", 50000, bpi_only=True),
    F("21", 2022, S.CREDITS_DELEGATED, "agent.dijon", "interpretariat", 35000),
    # Occitanie: the Région leads, two départements and three métropoles are its partners (F45);
    # instructed in Haute-Garonne (31), the région's préfecture. One file: Haute-Garonne is not a
    # demo département with every state.
    F(
        "31",
        2021,
        S.FUNDED,
        "agent.occitanie",
        "occitanie-plateformes",
        420000,
        partners=(
            (AuthorityKind.DEPARTEMENT, "31"),  # Département de la Haute-Garonne
            (AuthorityKind.DEPARTEMENT, "34"),  # Département de l'Hérault
            (AuthorityKind.EPCI, "243100518"),  # Toulouse Métropole
            (AuthorityKind.EPCI, "243400017"),  # Montpellier Méditerranée Métropole
            (AuthorityKind.EPCI, "200027183"),  # Perpignan Méditerranée Métropole (a communauté urbaine)
        ),
    ),
]

# The transitions leading to each state: (transition, who) with who in agent/instructor/prefect/ministry.
# The préfet is the authorising officer of the département: he commits the credits the Ministère
# delegated and settles the file on its final report.
_REVIEW: list[tuple[str, str]] = [(T.SUBMIT, "agent"), (T.START_REVIEW, "instructor")]
_FAVOURABLE: list[tuple[str, str]] = [*_REVIEW, (T.GIVE_OPINION, "instructor"), (T.PREFECT_APPROVE, "prefect")]
_DELEGATED: list[tuple[str, str]] = [
    *_FAVOURABLE,
    (T.MINISTRY_APPROVE, "ministry"),
    (T.DELEGATE_CREDITS, "ministry"),
]
PATHS: dict[str, list[tuple[str, str]]] = {
    S.DRAFT: [],
    S.SUBMITTED: [(T.SUBMIT, "agent")],
    S.IN_REVIEW: _REVIEW,
    S.CORRECTION_REQUESTED: [*_REVIEW, (T.REQUEST_CORRECTION, "instructor")],
    S.REVIEWED: [*_REVIEW, (T.REQUEST_CORRECTION, "instructor"), (T.RESUBMIT, "agent"), (T.GIVE_OPINION, "instructor")],
    S.PREFECT_APPROVED: _FAVOURABLE,
    S.PREFECT_REFUSED: [*_REVIEW, (T.GIVE_OPINION, "instructor"), (T.PREFECT_REFUSE, "prefect")],
    S.MINISTRY_APPROVED: [*_FAVOURABLE, (T.MINISTRY_APPROVE, "ministry")],
    S.MINISTRY_REFUSED: [*_FAVOURABLE, (T.MINISTRY_REFUSE, "ministry")],
    S.CREDITS_DELEGATED: _DELEGATED,
    S.FUNDED: [*_DELEGATED, (T.COMMIT, "prefect")],
    S.CLOSED: [*_DELEGATED, (T.COMMIT, "prefect"), (T.CLOSE, "prefect")],
    S.DISMISSED: [*_REVIEW, (T.DISMISS, "prefect")],
    S.WITHDRAWN: [(T.SUBMIT, "agent"), (T.WITHDRAW, "agent")],
}
SENT_BACK = [*_FAVOURABLE, (T.MINISTRY_SEND_BACK, "ministry")]

REASONS: dict[str, str] = {
    T.REQUEST_CORRECTION: "Le budget ne détaille pas les heures d'interprétariat et le calendrier des actions "
    "manque : précisez-les, et joignez l'accord du cofinanceur.",
    T.RESUBMIT: "Budget détaillé et calendrier ajoutés ; l'accord du cofinanceur est joint.",
    T.PREFECT_REFUSE: "L'action double une action déjà financée sur le même territoire ; la collectivité est "
    "invitée à se rapprocher de l'opérateur existant pour un projet commun.",
    T.MINISTRY_REFUSE: "Les crédits de l'année sont réservés aux projets qui ouvrent l'accès au logement et à "
    "l'emploi ; le projet pourra être redéposé à la prochaine campagne.",
    T.MINISTRY_SEND_BACK: "Le montant proposé ne tient pas compte du cofinancement annoncé par la CAF : "
    "reprenez l'instruction avec le budget à jour.",
    T.DISMISS: "La collectivité a indiqué que l'action est désormais financée dans le cadre de son CTAI : "
    "dossier classé sans suite.",
    T.WITHDRAW: "Le porteur de l'action s'est retiré ; la collectivité redéposera une demande l'an prochain.",
}
FAVOURABLE_OPINION = (
    "Avis favorable : projet cohérent avec le diagnostic territorial, public bien identifié, engagement de la "
    "collectivité confirmé et budget réaliste."
)
UNFAVOURABLE_OPINION = (
    "Avis défavorable : les actions recoupent l'offre de droit commun déjà présente sur le territoire et le "
    "nombre de bénéficiaires prévu est faible au regard du coût."
)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("100"), rounding=ROUND_HALF_UP)


def _budget(
    spec: DemoFile, theme: Theme, lead_name: str, partner_names: list[str]
) -> tuple[list[tuple[str, Decimal]], list[tuple[str, str, Decimal]], Decimal]:
    """Expenses and resources: the State request, the collectivité's co-funding (30 %), each partner
    collectivité's (5 %), another co-funder."""
    state = Decimal(spec.amount)
    cofunding = _round(state * Decimal("0.3"))
    resources: list[tuple[str, str, Decimal]] = [
        (ResourceKind.STATE_REQUEST, "État — programme 104", state),
        (ResourceKind.AUTHORITY_COFUNDING, lead_name, cofunding),
    ]
    resources += [(ResourceKind.AUTHORITY_COFUNDING, name, _round(state * Decimal("0.05"))) for name in partner_names]
    funder = {"caf": CAF, "region": REGION, "ars": ARS}.get(theme.other_funder)
    if funder:
        resources.append((ResourceKind.OTHER_COFUNDER, funder[spec.department], _round(state * Decimal("0.2"))))
    total = sum((amount for _, _, amount in resources), Decimal(0))
    expenses = [(nature, _round(total * weight / 100)) for nature, weight in theme.expenses[:-1]]
    expenses.append((theme.expenses[-1][0], total - sum((amount for _, amount in expenses), Decimal(0))))
    return expenses, resources, cofunding


def _users() -> dict[str, User]:
    return {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}


def _authority(kind: str, code: str) -> Authority:
    """A collectivité by its SIREN (an EPCI) or its INSEE code (a commune, a département, a région)."""
    lookup = {"siren": code} if kind == AuthorityKind.EPCI else {"insee_code": code}
    return Authority.objects.get(kind=kind, **lookup)


def _leads() -> dict[str, Authority]:
    return {agent: _authority(kind, code) for agent, (kind, code, _name) in AGENTS.items()}


def _prefect_of_haute_garonne() -> DemoAccount:
    """The préfet of Haute-Garonne (and of the région Occitanie) is a CTAI demo account: the Occitanie
    file needs him before the CTAI demo is seeded. Imported here: demo.ctai imports this module."""
    from demo.ctai import CTAI_ACCOUNTS

    return next(account for account in CTAI_ACCOUNTS if account.email == PREFECTS["31"])


def already_seeded() -> bool:
    titles = {THEMES[spec.theme].title for spec in DEMO_FILES}
    agents = [f"{agent}@{DEMO_DOMAIN}" for agent in AGENTS]
    return Project.objects.filter(created_by__email__in=agents, title__in=titles).exists()


def _create(spec: DemoFile, number: int, users: dict[str, User], leads: dict[str, Authority]) -> Project:
    theme = THEMES[spec.theme]
    agent = users[spec.agent]
    lead = leads[spec.agent]
    place = AGENTS[spec.agent][2]
    campaign = Campaign.objects.get(year=spec.year)
    codes = list(theme.domains)
    summary = theme.summary.format(lieu=place)
    if spec.year >= 2022 and HOUSING not in codes:
        codes.append(HOUSING)
        summary += HOUSING_2022
    partners = [_authority(kind, code) for kind, code in spec.partners]
    planned = max(12, spec.amount // 1500)
    fields: dict[str, Any] = {
        "department": Department.objects.get(code=spec.department),  # a région's: one of its départements
        "summary": summary,
        "target_public": TargetPublic.BPI_ONLY if spec.bpi_only else TargetPublic.ALL,
        "planned_bpi": planned if spec.bpi_only else planned // 2,
        "planned_newcomers": 0 if spec.bpi_only else planned - planned // 2,
        "start_date": date(spec.year, 3 + number % 6, 1),
        "end_date": date(spec.year + 1, 2 + number % 6, 28),
        "diagnostic": (
            ""
            if number % 5 == 4
            else f"Diagnostic territorial {spec.year - 1} de {place} : arrivées de réfugiés et de familles "
            "rejoignantes en hausse, offre de français saturée, délais d'accès aux droits de trois mois en moyenne."
        ),
    }
    if spec.bpi_only:
        fields["bpi_justification"] = theme.bpi_justification
        fields["widening_perspective"] = theme.widening_perspective
    if spec.association is not None:
        fields["carrier_kind"] = CarrierKind.ASSOCIATION
        fields["carrier_name"] = ASSOCIATIONS[spec.department][spec.association]
        fields["siret"] = demo_siret(spec.department, spec.association + 1)
        fields["rna"] = demo_rna(spec.department, spec.association + 1)
    else:
        fields["carrier_kind"] = CarrierKind.AUTHORITY
        fields["carrier_name"] = lead.name
    fields.update(spec.extra)
    project = create_draft(
        user=agent,
        lead=lead,
        campaign=campaign,
        title=theme.title,
        domains=Domain.objects.filter(code__in=codes),
        partners=partners,
        **fields,
    )
    expenses, resources, cofunding = _budget(spec, theme, lead.name, [p.name for p in partners])
    project = set_budget(user=agent, project=project, expenses=expenses, resources=resources)
    if spec.state != S.DRAFT:  # a draft shows what is still missing: the collectivité's engagement
        contributions: list[tuple[str, str, Decimal | None]] = [
            (ContributionKind.COFUNDING, f"Cofinancement de {lead.name} sur son budget {spec.year}.", cofunding)
        ]
        contributions += [  # the partner collectivités' co-funding (F45)
            (
                ContributionKind.COFUNDING,
                f"Cofinancement de {name}, partenaire du projet, sur son budget {spec.year}.",
                amount,
            )
            for kind, name, amount in resources
            if kind == ResourceKind.AUTHORITY_COFUNDING and name != lead.name
        ]
        kind, text = theme.in_kind
        if kind != ContributionKind.COFUNDING:
            contributions.append((kind, text, None))
        if spec.association is not None:
            contributions.append(
                (ContributionKind.OPERATOR_SUPPORT, "Convention pluriannuelle avec l'association porteuse.", None)
            )
        project = set_contributions(user=agent, project=project, contributions=contributions)
    return project


def _walk(spec: DemoFile, project: Project, users: dict[str, User], clock: StoryClock) -> Project:
    actors = {
        "agent": users[spec.agent],
        "instructor": users[INSTRUCTORS[spec.department]],
        "prefect": users[PREFECTS[spec.department]],
        "ministry": users[MINISTRY],
    }
    requested = Decimal(spec.amount)
    granted = Decimal(spec.granted or spec.amount)
    refused = spec.state == S.PREFECT_REFUSED
    for step, (name, who) in enumerate(SENT_BACK if spec.sent_back else PATHS[spec.state], start=1):
        with clock.at(step):
            project = _step(spec, project, name, actors[who], actors["agent"], requested, granted, refused)
    return project


def _step(
    spec: DemoFile,
    project: Project,
    name: str,
    user: User,
    agent: User,
    requested: Decimal,
    granted: Decimal,
    refused: bool,
) -> Project:
    """One step of the story, as its actor takes it."""
    kwargs: dict[str, Any] = {"reason": REASONS.get(name, "")}
    if name == T.RESUBMIT:
        project = update_draft(
            user=user,
            project=project,
            summary=project.summary + " Calendrier : de septembre à juin, hors vacances.",
        )
    elif name == T.GIVE_OPINION:
        kwargs = (
            {"opinion": Opinion.UNFAVORABLE, "reason": UNFAVOURABLE_OPINION}
            if refused
            else {"opinion": Opinion.FAVORABLE, "reason": FAVOURABLE_OPINION, "amount": granted or requested}
        )
    elif name == T.MINISTRY_APPROVE:
        kwargs["amount"] = granted
    if name == T.CLOSE:
        # The balance waits for the accepted final report (entered by the agent, accepted by the préfet).
        spent = Decimal(spec.final) if spec.final is not None else granted
        accept_final_report(target=project, agent=agent, reviewer=user, spent=spent)
        if spec.final is not None:
            kwargs["amount"] = Decimal(spec.final)
    return apply_transition(project=project, name=name, user=user, **kwargs)


def seed_demo_projects() -> list[Project]:
    """Create the accounts of the Occitanie file when missing, then the demo PTAI (none if they
    exist). After the commit, the task of each transition (`projects.tasks.after_transition`)
    generates its letters (décision attributive and notification at `commit`, refusal letters) and
    e-mails the applicants: for demo files, those e-mails go nowhere (dummy mailer), whatever mailer
    the settings configure — no real message is ever sent to the demo addresses."""
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        return _seed()


@transaction.atomic
def _seed() -> list[Project]:
    seed_demo_accounts([*OCCITANIE_ACCOUNTS, _prefect_of_haute_garonne()])
    if already_seeded():
        return []
    users = _users()
    leads = _leads()
    created = []
    for number, spec in enumerate(DEMO_FILES):
        clock = StoryClock(spec.year, number)
        with clock.at(0):
            project = _create(spec, number, users, leads)
        project = _walk(spec, project, users, clock)
        assert project.state == spec.state, (spec, project.state)
        created.append(project)
    return created


def summary(projects: list[Project]) -> str:
    """« N créés (14 états, départements 21, 31, 38, …) »."""
    if not projects:
        return "0 créé(s), déjà présents."
    states = Counter(p.state for p in projects)
    departments = sorted({p.department.code for p in projects})
    return f"{len(projects)} créé(s) ({len(states)} états, départements {', '.join(departments)})."
