"""Demo CTAI: the first CTAIR wave of 2019 (and Rennes in 2020), the CTAIR widened into CTAI in
2021 from the collectivités' declarations (F16), a CTAIR still in negotiation carried on as a CTAI
(Montpellier), the 2021 CTAI of the city of Poitiers (150 000 € + 50 000 €), other CTAI in every
state of the contract, and yearly programmings in every state with their actions (each on the socle
or the complement, F11, each with its priority of the national strategy, F13) — written ONLY through
`contracts.services` (create_contract, save_diagnosis, record_coordinator, apply_transition),
`contracts.programming` (create_programming, add_action, review_action, apply_transition) and
`programme.services.record_derogation`, with the demo actors: the transition logs, the audit trail
and the commitments, advances and balances on the ledger are real. The dates of the letters, the
declarations and the signatures are the transitions' inputs.

The contracts:

- CTAIR, signed in 2019 (campaign 2019) by Dijon Métropole, Grenoble-Alpes-Métropole, the
  Métropole de Lyon, the Métropole du Grand Nancy, Bordeaux Métropole, Nantes Métropole, the
  Eurométropole de Strasbourg, Toulouse Métropole, Brest Métropole and the city of
  Clermont-Ferrand (a commune: the signatory derogation is recorded), and by Rennes Métropole in
  2020 (campaign 2020). Lyon, Grenoble, Strasbourg and Toulouse widened theirs into a CTAI signed
  in 2021 (the CTAIR is `widened`); Bordeaux, Brest and Nancy ended at the end of 2021; Dijon,
  Nantes, Clermont-Ferrand and Rennes are still in force while their CTAI is being negotiated.
- Widenings (F16): each CTAI that widens a signed CTAIR starts from the collectivité's declaration
  of intent to the préfet (transition `declare_widening` of the CTAIR), without a lettre
  d'engagement: Lyon, Grenoble, Strasbourg and Toulouse (then signed in 2021), Nantes (drafting),
  Clermont-Ferrand (diagnosis, with the commune's derogation) and Rennes (declared, recorded by the
  préfet on the métropole's behalf). Montpellier Méditerranée Métropole's CTAIR of campaign 2020,
  still at its diagnostic in 2021, was widened there (June 2021) and carried on as the CTAI, its
  letter and diagnostic kept: it is now drafting.
- Other CTAI: signed — the city of Poitiers (a commune: derogation); letter_received — Dijon, which
  chose a new CTAI at the end of its CTAIR rather than a widening, and whose letter came after the
  31/12/2021 deadline (derogation recorded); contact — Brest (its CTAIR ended: a new CTAI of
  campaign 2022, opened by the préfet); abandoned — Nancy (with its reason).
- Coordinators (F20): named at the signature for most; Poitiers' being recruited; Toulouse signed
  without one; Strasbourg signed without one and named it afterwards.

The programmings (socle on 104-15, complement on 104-12, complement ≤ socle * other newcomers /
BPI planned over the actions; the socle's actions plan BPI and make the socle, the complement's are
open to other newcomers and make the complement; each action names its priority of the national
strategy): Poitiers 2021 committed (150 000 € + 50 000 €, 90 BPI and 30 other newcomers, its advance
paid), Lyon 2021 closed on its year's report (the balance paid, 10 000 € of the socle released) and
2022 approved, Grenoble 2021 committed and 2022 draft (the one a demo user walks through:
agent.grenoble presents it, the Diair checks and approves it, prefet.isere commits it on the Isère
envelopes of 2022 and pays the advance), Strasbourg 2021 presented (two actions accepted, one sent
back, one to examine), Toulouse 2021 changes requested (an action for asylum seekers, outside the
programme, sent back). Every presented (or later) programming holds a housing action. The committed
ones draw on Rhône, Isère and Vienne, which receive both budget lines in `demo.finance`: no other
delegation is needed.

Campaigns 2019 and 2020: the platform's campaigns start in 2021 (data migration). The CTAIR
belong to the year they were signed, so this demo adds campaigns 2019 and 2020, copies of 2021's
parameters whose notes say they are demo assumptions (CTAIR had no campaign on this platform).
No service creates a past year (`programme.services.create_next_campaign` adds the next one): the
copy is written the same way, with its audit event by the demo administrateur.

Accounts: the CTAI need an agent in each signatory collectivité (the letter, the programmings) and
a préfet in each département (the signature). Those the PTAI demo lacks are `CTAI_ACCOUNTS`, kept
out of `demo.accounts.DEMO_ACCOUNTS` — whose State accounts each find PTAI in every state, as the
PTAI demo promises — and so without an API token.

Idempotent: accounts and campaigns are created when missing; the contracts and programmings once,
nothing is done once a demo account has created one of these contracts.
"""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings

from accounts.enums import Role
from accounts.models import User
from audit.services import record_event
from contracts import programming as programming_services
from contracts import services as contract_services
from contracts.enums import (
    ActionPart,
    ActionReview,
    CarrierKind,
    ContractKind,
    ContractState,
    ProgrammingState,
    ProgrammingTransitionName,
    TransitionName,
)
from contracts.models import ActionPublic, Contract, Programming
from demo.accounts import DEMO_DOMAIN, DemoAccount, seed_demo_accounts
from demo.projects import ASSOCIATIONS, demo_rna, demo_siret
from demo.reports import accept_final_report
from demo.story import moment
from programme.models import Campaign
from programme.services import M2M_FIELDS, record_derogation
from referential.enums import AuthorityKind
from referential.models import Authority

S = ContractState
P = ProgrammingState
T = TransitionName
PT = ProgrammingTransitionName

# --- Accounts ---------------------------------------------------------------------------------

CTAI_ACCOUNTS = [
    DemoAccount("agent.nancy", "Élise", "Kieffer", Role.AGENT, "epci:245400676"),  # Métropole du Grand Nancy
    DemoAccount("agent.bordeaux", "Julien", "Lacoste", Role.AGENT, "epci:243300316"),  # Bordeaux Métropole
    DemoAccount("agent.nantes", "Maëlle", "Guillou", Role.AGENT, "epci:244400404"),  # Nantes Métropole
    DemoAccount("agent.strasbourg", "Lucas", "Meyer", Role.AGENT, "epci:246700488"),  # Eurométropole de Strasbourg
    DemoAccount("agent.toulouse", "Manon", "Castel", Role.AGENT, "epci:243100518"),  # Toulouse Métropole
    DemoAccount("agent.brest", "Erwan", "Le Bihan", Role.AGENT, "epci:242900314"),  # Brest Métropole
    DemoAccount("agent.rennes", "Gaëlle", "Morvan", Role.AGENT, "epci:243500139"),  # Rennes Métropole
    DemoAccount("agent.poitiers", "Chloé", "Bernier", Role.AGENT, "commune:86194"),  # Poitiers
    # Clermont Auvergne Métropole: no contract in the demo; the browser journey opens its CTAI
    # (tests/browser/test_ctai_journey.py).
    DemoAccount("agent.clermont-metropole", "Romain", "Chabrier", Role.AGENT, "epci:246300701"),
    DemoAccount("prefet.meurthe-et-moselle", "Philippe", "Ancel", Role.PREFECT, "dep:54"),
    DemoAccount("prefet.gironde", "Catherine", "Duprat", Role.PREFECT, "dep:33"),
    DemoAccount("prefet.bas-rhin", "François", "Wendling", Role.PREFECT, "dep:67"),
    DemoAccount("prefet.haute-garonne", "Nathalie", "Sarrail", Role.PREFECT, "dep:31"),
    DemoAccount("prefet.finistere", "Yves", "Kerautret", Role.PREFECT, "dep:29"),
    DemoAccount("prefet.ille-et-vilaine", "Sylvie", "Le Corre", Role.PREFECT, "dep:35"),
    DemoAccount("prefet.vienne", "Bruno", "Texier", Role.PREFECT, "dep:86"),
    DemoAccount("agent.montpellier", "Sarah", "Benhamou", Role.AGENT, "epci:243400017"),  # Montpellier Méd. Métropole
    DemoAccount("prefet.herault", "Hugues", "Moutouh", Role.PREFECT, "dep:34"),
]
DIAIR = "diair"
ADMIN = "admin"
PREFECTS = {
    "21": "prefet.cote-d-or",
    "29": "prefet.finistere",
    "31": "prefet.haute-garonne",
    "33": "prefet.gironde",
    "34": "prefet.herault",
    "35": "prefet.ille-et-vilaine",
    "38": "prefet.isere",
    "44": "prefet.loire-atlantique",
    "54": "prefet.meurthe-et-moselle",
    "63": "prefet.puy-de-dome",
    "67": "prefet.bas-rhin",
    "69": "prefet.rhone",
    "86": "prefet.vienne",
}


# --- The signatory collectivités ---------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    kind: str
    code: str  # SIREN of an EPCI, INSEE code of a commune
    department: str
    agent: str
    name: str  # in the contract's title
    place: str  # as the texts say it: "la Métropole de Lyon"
    official: str  # the elected official who signs
    bpi: int  # the diagnostic's figures
    others: int
    coordinator: str = ""  # empty: being recruited (F20)
    coordinator_when: str = "sign"  # "sign": given at the signature; "after": named once signed; "none"


EPCI, COMMUNE = AuthorityKind.EPCI, AuthorityKind.COMMUNE
SIGNATORIES: dict[str, Signatory] = {
    key: Signatory(*values)
    for key, values in {
        "dijon": (EPCI, "242100410", "21", "agent.dijon", "Dijon Métropole", "Dijon Métropole",
                  "Le président de Dijon Métropole", 380, 900, "Hugo Perrin"),
        "grenoble": (EPCI, "200040715", "38", "agent.grenoble", "Grenoble-Alpes-Métropole",
                     "Grenoble-Alpes-Métropole", "Le président de Grenoble-Alpes-Métropole", 650, 1800,
                     "Camille Martin"),
        "lyon": (EPCI, "200046977", "69", "agent.lyon", "Métropole de Lyon", "la Métropole de Lyon",
                 "Le président de la Métropole de Lyon", 2400, 6500, "Inès Fontaine"),
        "nancy": (EPCI, "245400676", "54", "agent.nancy", "Métropole du Grand Nancy", "la Métropole du Grand Nancy",
                  "Le président de la Métropole du Grand Nancy", 420, 1100, "Élise Kieffer"),
        "bordeaux": (EPCI, "243300316", "33", "agent.bordeaux", "Bordeaux Métropole", "Bordeaux Métropole",
                     "Le président de Bordeaux Métropole", 1300, 3200, "Julien Lacoste"),
        "nantes": (EPCI, "244400404", "44", "agent.nantes", "Nantes Métropole", "Nantes Métropole",
                   "La présidente de Nantes Métropole", 1500, 3400, "Maëlle Guillou"),
        "strasbourg": (EPCI, "246700488", "67", "agent.strasbourg", "Eurométropole de Strasbourg",
                       "l'Eurométropole de Strasbourg", "La présidente de l'Eurométropole de Strasbourg", 1700, 4200,
                       "Lucas Meyer", "after"),
        "toulouse": (EPCI, "243100518", "31", "agent.toulouse", "Toulouse Métropole", "Toulouse Métropole",
                     "Le président de Toulouse Métropole", 1900, 4800, "", "none"),
        "brest": (EPCI, "242900314", "29", "agent.brest", "Brest Métropole", "Brest Métropole",
                  "Le président de Brest Métropole", 350, 700, "Erwan Le Bihan"),
        "rennes": (EPCI, "243500139", "35", "agent.rennes", "Rennes Métropole", "Rennes Métropole",
                   "La présidente de Rennes Métropole", 1200, 2600, "Gaëlle Morvan"),
        "clermont": (COMMUNE, "63113", "63", "agent.clermont", "Ville de Clermont-Ferrand", "Clermont-Ferrand",
                     "Le maire de Clermont-Ferrand", 600, 1300, "Sophie Aubert"),
        "poitiers": (COMMUNE, "86194", "86", "agent.poitiers", "Ville de Poitiers", "Poitiers",
                     "La maire de Poitiers", 450, 800, ""),
        "montpellier": (EPCI, "243400017", "34", "agent.montpellier", "Montpellier Méditerranée Métropole",
                        "Montpellier Méditerranée Métropole", "Le président de Montpellier Méditerranée Métropole",
                        900, 2100, "Sarah Benhamou"),
    }.items()
}  # fmt: skip

# Written justifications (`programme.services.record_derogation`) by the préfet.
SIGNATORY_JUSTIFICATIONS = {
    "clermont": "La ville de Clermont-Ferrand porte la politique d'accueil des réfugiés du territoire (CCAS, centre "
    "municipal de santé, parc de logements communal) ; Clermont Auvergne Métropole n'exerce pas ces compétences "
    "et s'associe au comité de pilotage : la commune signe le contrat.",
    "poitiers": "La ville de Poitiers accueille l'essentiel des réfugiés du Grand Poitiers et porte, par son CCAS, "
    "l'accompagnement social et l'accès au logement ; la communauté urbaine, associée au comité de pilotage, a "
    "délibéré pour que la commune signe le contrat.",
}
LATE_LETTER_JUSTIFICATION = (
    "Le conseil métropolitain n'a pu délibérer sur l'engagement qu'en séance du 13 janvier 2022 (report de la séance "
    "de décembre) ; la lettre est arrivée le 17 janvier, le calendrier de signature en 2022 reste tenable."
)
DELEGATE = "Le délégué interministériel à l'accueil et à l'intégration des réfugiés"
# F16: the collectivité tells the préfet of its intention (the declaration's text).
WIDENING_DECLARATION = (
    "Par délibération de son assemblée, {place} fait connaître au préfet son intention d'élargir son contrat "
    "territorial d'accueil et d'intégration des réfugiés (CTAIR) aux autres étrangers primo-arrivants : un CTAI "
    "sera signé en lieu et place du CTAIR."
)


# --- The contracts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoContract:
    signatory: str  # key of SIGNATORIES
    kind: str
    year: int  # the campaign
    state: str  # where the demo leaves it (a widened CTAIR: signed here, widened by its CTAI)
    letter: date | None = None  # of a CTAI that widens a signed CTAIR: the date of the declaration
    signature_year: int | None = None
    signed: date | None = None
    effective_to: date | None = None
    widens: bool = False  # the CTAI widens the collectivité's signed CTAIR, from its declaration (F16)
    widened_at: str = ""  # a CTAIR still in negotiation, widened at this step and carried on as the CTAI
    declared: date | None = None  # the date of that declaration
    late_letter: bool = False
    abandoned_at: str = S.DIAGNOSIS
    reason: str = ""  # ended, abandoned
    opened_by: str = "agent"  # or "prefect", "diair" (of a widening: who records the declaration)

    @property
    def title(self) -> str:
        name = SIGNATORIES[self.signatory].name
        return f"CTAIR {self.year} — {name}" if self.kind == ContractKind.CTAIR else f"CTAI — {name}"


ENDED_CTAIR = (
    "Contrat arrivé à échéance le 31/12/2021 ; bilan final présenté au comité de pilotage de décembre 2021. "
    "Les actions se poursuivent sur les crédits de droit commun et par des PTAI."
)
ABANDONED_CTAI = (
    "Après le renouvellement de l'exécutif métropolitain, la métropole a choisi de poursuivre par des projets "
    "ponctuels (PTAI) plutôt que par un contrat pluriannuel ; le diagnostic engagé reste à disposition des services."
)

C = DemoContract
CTAIR, CTAI = ContractKind.CTAIR, ContractKind.CTAI
END_2021 = date(2021, 12, 31)
END_2022 = date(2022, 12, 31)
END_2023 = date(2023, 12, 31)
DEMO_CTAIR: list[DemoContract] = [
    C("dijon", CTAIR, 2019, S.SIGNED, date(2019, 1, 21), 2019, date(2019, 5, 6), END_2022),
    C("grenoble", CTAIR, 2019, S.WIDENED, date(2019, 1, 14), 2019, date(2019, 4, 29), END_2021),
    C("lyon", CTAIR, 2019, S.WIDENED, date(2019, 1, 9), 2019, date(2019, 4, 15), END_2021),
    C("nancy", CTAIR, 2019, S.ENDED, date(2019, 2, 4), 2019, date(2019, 6, 3), END_2021, reason=ENDED_CTAIR),
    C("bordeaux", CTAIR, 2019, S.ENDED, date(2019, 1, 28), 2019, date(2019, 5, 20), END_2021, reason=ENDED_CTAIR),
    C("nantes", CTAIR, 2019, S.SIGNED, date(2019, 2, 11), 2019, date(2019, 6, 17), END_2022),
    C("strasbourg", CTAIR, 2019, S.WIDENED, date(2019, 2, 18), 2019, date(2019, 7, 1), END_2021),
    C("toulouse", CTAIR, 2019, S.WIDENED, date(2019, 3, 4), 2019, date(2019, 7, 8), END_2021),
    C("brest", CTAIR, 2019, S.ENDED, date(2019, 3, 11), 2019, date(2019, 9, 16), END_2021, reason=ENDED_CTAIR),
    C("clermont", CTAIR, 2019, S.SIGNED, date(2019, 3, 18), 2019, date(2019, 10, 7), END_2022),
    C("rennes", CTAIR, 2020, S.SIGNED, date(2019, 12, 9), 2020, date(2020, 2, 24), END_2022),
]
# F16: a CTAIR of campaign 2020 still at its diagnostic in 2021, widened there and carried on as the CTAI.
DEMO_IN_NEGOTIATION: list[DemoContract] = [
    C("montpellier", CTAIR, 2020, S.DRAFTING, date(2020, 11, 16), 2021, widened_at=S.DIAGNOSIS,
      declared=date(2021, 6, 14)),
]  # fmt: skip
DEMO_CTAI: list[DemoContract] = [
    # Widening a signed CTAIR: `letter` is the date of the collectivité's declaration to the préfet.
    C("lyon", CTAI, 2021, S.SIGNED, date(2021, 3, 15), None, date(2021, 7, 5), END_2023, widens=True),
    C("grenoble", CTAI, 2021, S.SIGNED, date(2021, 2, 22), None, date(2021, 6, 28), END_2023, widens=True),
    C("strasbourg", CTAI, 2021, S.SIGNED, date(2021, 4, 8), None, date(2021, 9, 20), END_2023, widens=True),
    C("toulouse", CTAI, 2021, S.SIGNED, date(2021, 3, 30), None, date(2021, 10, 11), END_2023, widens=True),
    C("poitiers", CTAI, 2021, S.SIGNED, date(2021, 3, 4), 2021, date(2021, 6, 15), END_2023),
    C("nantes", CTAI, 2021, S.DRAFTING, date(2021, 11, 10), widens=True),
    C("clermont", CTAI, 2021, S.DIAGNOSIS, date(2021, 12, 6), widens=True),
    C("dijon", CTAI, 2021, S.LETTER_RECEIVED, date(2022, 1, 17), 2022, late_letter=True),
    C("rennes", CTAI, 2021, S.WIDENING_DECLARED, date(2021, 11, 22), widens=True, opened_by="prefect"),
    C("brest", CTAI, 2022, S.CONTACT, opened_by="prefect"),
    C("nancy", CTAI, 2021, S.ABANDONED, date(2021, 10, 20), 2022, reason=ABANDONED_CTAI),
]
DEMO_CONTRACTS = DEMO_CTAIR + DEMO_IN_NEGOTIATION + DEMO_CTAI


# --- The actions of the programmings ---------------------------------------------------------


@dataclass(frozen=True)
class ActionKind:
    title: str
    description: str  # {lieu}: the collectivité
    domains: tuple[str, ...]


ACTION_KINDS: dict[str, ActionKind] = {
    "logement": ActionKind(
        "Accès au logement : bail glissant et accompagnement vers le logement autonome",
        "Des logements du parc social de {lieu} loués en bail glissant, une captation de logements auprès des "
        "bailleurs et un accompagnement social de douze mois jusqu'au glissement du bail, en lien avec le plan "
        "« Logement d'abord ».",
        ("logement", "accompagnement-social"),
    ),
    "langue": ActionKind(
        "Ateliers sociolinguistiques à visée professionnelle",
        "Des ateliers de français de six heures par semaine, centrés sur le vocabulaire du travail, en complément "
        "des heures du contrat d'intégration républicaine, avec des visites d'entreprises de {lieu}.",
        ("formation-linguistique", "emploi"),
    ),
    "emploi": ActionKind(
        "Parcours vers l'emploi dans les métiers en tension",
        "Un parcours de six mois vers la logistique, le bâtiment, le soin et l'hôtellerie-restauration : "
        "immersions en entreprise, français professionnel et suivi après l'embauche avec France Travail, à {lieu}.",
        ("emploi", "formation-professionnelle"),
    ),
    "sante": ActionKind(
        "Médiation en santé et soutien psychologique",
        "Une médiatrice en santé et des consultations de psychologues avec interprète : médecin traitant, "
        "complémentaire santé solidaire, prise en charge des psychotraumatismes de l'exil, à {lieu}.",
        ("sante", "acces-droits"),
    ),
    "jeunes": ActionKind(
        "Accompagnement des jeunes réfugiés de 18 à 25 ans",
        "Un accompagnement renforcé des jeunes réfugiés de {lieu}, sans accès au RSA avant 25 ans : aide aux "
        "ressources, entrée en formation qualifiante et en apprentissage avec la mission locale.",
        ("formation-professionnelle", "accompagnement-social"),
    ),
    "mobilite": ActionKind(
        "Plateforme mobilité : code, permis et location solidaire",
        "Un accompagnement au code et à la conduite et des vélos et voitures loués à tarif solidaire pour "
        "rejoindre les zones d'activité de {lieu} mal desservies.",
        ("mobilite", "emploi"),
    ),
    "numerique": ActionKind(
        "Inclusion numérique et accès aux droits en ligne",
        "Des ateliers en petits groupes pour créer ses comptes (ANEF, CAF, France Travail), du matériel "
        "reconditionné prêté aux familles et une permanence de conseillers numériques à {lieu}.",
        ("inclusion-numerique", "acces-droits"),
    ),
    "garde": ActionKind(
        "Places de crèche pour les parents en parcours d'intégration",
        "Des places d'accueil du jeune enfant réservées pendant les cours de français et les formations, pour "
        "que les parents arrivés à {lieu} suivent leur parcours.",
        ("garde-enfants", "formation-linguistique"),
    ),
    "parrainage": ActionKind(
        "Parrainage citoyen et binômes d'accueil",
        "Des binômes entre habitants bénévoles et familles nouvellement arrivées à {lieu}, formés et suivis par "
        "une coordinatrice, pour les premières démarches et la vie du quartier.",
        ("lien-societe-accueil", "sport-culture"),
    ),
    "coordination": ActionKind(
        "Coordination du contrat et animation du réseau des acteurs de l'accueil",
        "Le coordinateur du contrat anime le réseau des acteurs de l'accueil de {lieu}, tient le répertoire de "
        "l'offre de français, suit les indicateurs des actions et prépare les comités de pilotage.",
        ("pilotage-coordination", "coordination-linguistique"),
    ),
    "asile": ActionKind(
        "Mise à l'abri et accompagnement des demandeurs d'asile sans hébergement",
        "Des places de mise à l'abri et un accompagnement administratif pour les demandeurs d'asile sans "
        "solution d'hébergement à {lieu}, en attendant une place dans le dispositif national d'accueil.",
        ("accompagnement-social", "acces-droits"),
    ),
}

# Fictitious associations of the départements the PTAI demo does not cover (SIRET from
# `demo.projects.demo_siret`: SIREN 99<dép.><n>, Luhn key); Isère and Rhône reuse the PTAI demo's.
CTAI_ASSOCIATIONS = {
    **ASSOCIATIONS,
    "86": ["Association Poitou Terre d'Asile", "Association Clain Solidarités"],
    "67": ["Association Rhin Accueil et Parcours", "Association Langues d'Alsace"],
    "31": ["Association Garonne Hospitalité", "Association Occitanie Parcours Emploi"],
}


# F13: the priority of the national strategy each kind of action serves (codes of `programme.Priority`).
ACTION_PRIORITIES = {
    "logement": "logement",
    "langue": "langue-formation-emploi",
    "emploi": "langue-formation-emploi",
    "sante": "soins",
    "jeunes": "parcours",
    "mobilite": "langue-formation-emploi",
    "numerique": "droits",
    "garde": "parcours",
    "parrainage": "liens-societe",
    "coordination": "pilotage",
    "asile": "droits",
}


@dataclass(frozen=True)
class DemoAction:
    kind: str  # key of ACTION_KINDS
    amount: int  # asked from the State (€)
    bpi: int
    others: int
    association: int | None = None  # index in CTAI_ASSOCIATIONS[department]; None: the collectivité
    part: str = ActionPart.BASE  # F11: the socle (BPI, planned BPI) or the complement (other newcomers)
    public: str = ""  # default: BPI only without other newcomers, else BPI and other newcomers
    review: str = ActionReview.ACCEPTED  # the Diair's check, once presented
    review_reason: str = ""


@dataclass(frozen=True)
class DemoProgramming:
    signatory: str  # its CTAI (signed)
    year: int
    state: str
    base: int
    complement: int
    actions: tuple[DemoAction, ...]
    changes_reason: str = ""
    # A closed year: the date its report was received, the amounts spent on the socle and the
    # complement (None: all that was committed).
    report: tuple[date, int | None, int | None] | None = None


A = DemoAction
COMPLEMENT = ActionPart.COMPLEMENT
SENT_BACK = ActionReview.SENT_BACK
PENDING = ActionReview.PENDING
DEMO_PROGRAMMINGS: list[DemoProgramming] = [
    # Poitiers 2021 (F43): 150 000 € for BPI + 50 000 € for other newcomers = 150 000 × 30 ÷ 90.  # noqa: RUF003
    # F11: the socle's actions (logement, santé, coordination) make 150 000 €, the complement's 50 000 €.
    DemoProgramming(
        "poitiers", 2021, P.COMMITTED, 150000, 50000,
        (
            A("logement", 70000, 40, 10, association=0),
            A("langue", 50000, 25, 15, association=1, part=COMPLEMENT),
            A("sante", 50000, 15, 5),
            A("coordination", 30000, 10, 0),
        ),
    ),
    # Lyon: 300 000 × 80 ÷ 240 = 100 000 € (2021); 300 000 × 75 ÷ 250 = 90 000 € (2022).  # noqa: RUF003
    # 2021 is closed on its report of March 2022: 290 000 € spent on the socle (10 000 € released).
    DemoProgramming(
        "lyon", 2021, P.CLOSED, 300000, 100000,
        (
            A("logement", 120000, 80, 20, association=0),
            A("emploi", 100000, 60, 30, association=1, part=COMPLEMENT),
            A("jeunes", 80000, 60, 0),
            A("sante", 60000, 30, 20),
            A("coordination", 40000, 10, 10),
        ),
        report=(date(2022, 3, 31), 290000, None),
    ),
    DemoProgramming(
        "lyon", 2022, P.APPROVED, 300000, 90000,
        (
            A("logement", 130000, 90, 25, association=0),
            A("langue", 90000, 60, 30, association=1, part=COMPLEMENT),
            A("mobilite", 70000, 50, 20),
            A("numerique", 60000, 30, 0),
            A("coordination", 40000, 20, 0),
        ),
    ),
    # Grenoble: 250 000 × 50 ÷ 150 = 83 333,33 € ≥ 80 000 € (2021); 250 000 × 50 ÷ 160 = 78 125 € (2022).  # noqa: RUF003
    DemoProgramming(
        "grenoble", 2021, P.COMMITTED, 250000, 80000,
        (
            A("logement", 110000, 60, 20, association=1),
            A("sante", 80000, 40, 10, association=0, part=COMPLEMENT),
            A("emploi", 90000, 40, 20),
            A("coordination", 50000, 10, 0),
        ),
    ),
    DemoProgramming(
        "grenoble", 2022, P.DRAFT, 250000, 75000,
        (
            A("logement", 120000, 70, 20, association=1),
            A("langue", 75000, 40, 20, association=0, part=COMPLEMENT),
            A("garde", 40000, 20, 10),
            A("parrainage", 40000, 20, 0),
            A("coordination", 50000, 10, 0),
        ),
    ),
    # Strasbourg: 200 000 × 30 ÷ 120 = 50 000 €; presented, being examined by the Diair.  # noqa: RUF003
    DemoProgramming(
        "strasbourg", 2021, P.PRESENTED, 200000, 50000,
        (
            A("logement", 90000, 50, 10, association=0),
            A("langue", 50000, 30, 15, association=1, part=COMPLEMENT),
            A(
                "numerique", 40000, 20, 5, review=SENT_BACK,
                review_reason="Le budget ne distingue pas le matériel prêté des ateliers : précisez le nombre "
                "d'ateliers, de familles équipées et le coût par participant.",
            ),
            A("coordination", 70000, 20, 0, review=PENDING),
        ),
    ),
    # Toulouse: 250 000 × 40 ÷ 120 = 83 333,33 € ≥ 60 000 €; an action outside the programme sent back.  # noqa: RUF003
    DemoProgramming(
        "toulouse", 2021, P.CHANGES_REQUESTED, 250000, 60000,
        (
            A("logement", 160000, 70, 20, association=0),
            A("emploi", 60000, 50, 20, association=1, part=COMPLEMENT),
            A(
                "asile", 90000, 0, 0, public=ActionPublic.ASYLUM_SEEKERS, review=SENT_BACK,
                review_reason="Les demandeurs d'asile relèvent du dispositif national d'accueil, pas de ce "
                "programme : retirez l'action ou réorientez-la vers les réfugiés sortant des centres d'accueil.",
            ),
        ),
        changes_reason="L'action « Mise à l'abri et accompagnement des demandeurs d'asile sans hébergement » vise un "
        "public hors du programme : retirez-la ou réorientez-la vers les bénéficiaires de la protection "
        "internationale ; les 90 000 € peuvent renforcer l'action logement ou l'accès à l'emploi.",
    ),
]  # fmt: skip

REPORT = (
    "Bilan de l'année reçu : les actions ont été menées ; l'action « Accompagnement des jeunes réfugiés » a "
    "démarré en mars, 10 000 € du socle n'ont pas été dépensés."
)
PRESENTATION = "Programmation validée en comité de pilotage local avec les services de l'État et les partenaires."
APPROVAL = "Actions conformes aux priorités de la stratégie nationale et au public du programme."


# --- Campaigns 2019 and 2020 ---------------------------------------------------------------------

CTAIR_CAMPAIGN_NOTES = (
    "Hypothèses de démonstration : les CTAIR de {year} n'avaient pas de campagne sur cette plateforme, qui commence "
    "en 2021. Cette campagne, copie des paramètres de 2021 (enveloppe, socle, plafond, signataires, date limite de "
    "la lettre décalée au 31/12/{year}), ne sert qu'à rattacher les CTAIR signés en {year} (données de "
    "démonstration, demo/ctai.py) ; aucun crédit n'y est ouvert."
)


def _ctair_campaign(year: int, actor: User | None) -> Campaign:
    """Campaign `year` (2019, 2020): a copy of 2021's parameters, as `create_next_campaign` copies a
    campaign, with its audit event; left as it is when it exists."""
    existing = Campaign.objects.filter(year=year).first()
    if existing is not None:
        return existing
    source = Campaign.objects.get(year=2021)
    copy = Campaign.objects.get(pk=source.pk)
    copy.pk = None
    copy._state.adding = True
    copy.year = year
    copy.letter_deadline = date(year, 12, 31)
    copy.notes = CTAIR_CAMPAIGN_NOTES.format(year=year)
    copy.full_clean()
    copy.save()
    for name in M2M_FIELDS:
        getattr(copy, name).set(getattr(source, name).all())
    record_event(
        actor=actor,
        verb="programme.campaign_created",
        target=copy,
        details={"copiée de": "campagne 2021", "motif": "CTAIR de démonstration"},
    )
    return copy


# --- Seeding -------------------------------------------------------------------------------------


@dataclass
class Seeded:
    contracts: list[Contract] = field(default_factory=list)
    programmings: list[Programming] = field(default_factory=list)
    accounts_created: int = 0


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("100"), rounding=ROUND_HALF_UP)


def _users() -> dict[str, User]:
    return {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}


def _authorities() -> dict[str, Authority]:
    found = {}
    for key, signatory in SIGNATORIES.items():
        lookup = {"siren": signatory.code} if signatory.kind == AuthorityKind.EPCI else {"insee_code": signatory.code}
        found[key] = Authority.objects.get(kind=signatory.kind, **lookup)
    return found


def already_seeded() -> bool:
    titles = {spec.title for spec in DEMO_CONTRACTS}
    return Contract.objects.filter(created_by__email__endswith=f"@{DEMO_DOMAIN}", title__in=titles).exists()


def _diagnosis(signatory: Signatory, complete: bool) -> dict[str, Any]:
    place = signatory.place
    values: dict[str, Any] = {
        "bpi_count": signatory.bpi,
        "other_newcomers_count": signatory.others,
        "needs_by_domain": {
            "logement": "Sorties des centres d'hébergement sans solution : délais de plus de six mois pour un "
            f"logement social sur {place}, peu de petits logements.",
            "formation-linguistique": "Offre de français saturée au-delà des heures du CIR ; listes d'attente des "
            "ateliers sociolinguistiques.",
            "emploi": "Peu de parcours qui associent français et métier ; diplômes étrangers rarement reconnus.",
        },
    }
    if complete:
        values["existing_offer"] = (
            f"Ateliers sociolinguistiques associatifs, plateforme d'accès au logement du SIAO, permanences d'accès "
            f"aux droits du CCAS, centres de santé de {place}."
        )
        values["gaps"] = (
            "Pas de coordination des acteurs ; aucune offre pour les jeunes de 18 à 25 ans ; interprétariat rare "
            "dans les services de santé ; peu de bailleurs engagés."
        )
    return values


def _sign_data(spec: DemoContract, signatory: Signatory, prefect: User) -> dict[str, Any]:
    assert spec.signed is not None and spec.effective_to is not None
    years = spec.effective_to.year - spec.signed.year + 1
    data: dict[str, Any] = {
        "signed_on": spec.signed,
        "effective_from": spec.signed,
        "effective_to": spec.effective_to,
        "duration_years": years,
        "elected_official_name": signatory.official,
        "prefect_name": prefect.get_full_name(),
        "delegate_name": DELEGATE if spec.kind == ContractKind.CTAI else "",
    }
    if signatory.coordinator_when != "sign":  # F20: none at the signature (named later, or never)
        return data
    if signatory.coordinator:
        data.update(_coordinator(spec, signatory))
    else:
        data["coordinator_recruiting"] = True
    return data


def _coordinator(spec: DemoContract, signatory: Signatory) -> dict[str, Any]:
    return {
        "coordinator_name": signatory.coordinator,
        "coordinator_role": "Chargé(e) de mission accueil et intégration des réfugiés",
        "coordinator_contact": f"coordination-ctai.{spec.signatory}@{DEMO_DOMAIN}",
    }


PATH: list[str] = [S.CONTACT, S.LETTER_RECEIVED, S.DIAGNOSIS, S.DRAFTING, S.SIGNED]
# F16: a CTAI that widens a signed CTAIR starts from the declaration, without a letter.
WIDENING_PATH: list[str] = [S.WIDENING_DECLARED, S.DIAGNOSIS, S.DRAFTING, S.SIGNED]


def _declare_widening(ctair: Contract, declarer: User, signatory: Signatory, declared_on: date | None) -> Contract:
    """F16: the collectivité's declaration (recorded by its agent, or by the préfet on its behalf) on
    the CTAIR; returns the contract that carries it on — the CTAI opened for a signed CTAIR, the same
    contract for one in negotiation."""
    carried = contract_services.apply_transition(
        contract=ctair,
        name=T.DECLARE_WIDENING,
        user=declarer,
        reason=WIDENING_DECLARATION.format(place=signatory.place),
        declared_on=declared_on,
    )
    if carried.state != S.SIGNED:
        return carried
    return Contract.objects.get(widens=ctair, state=S.WIDENING_DECLARED)


def _signatory_derogation(spec: DemoContract, contract: Contract, prefect: User) -> None:
    if spec.signatory in SIGNATORY_JUSTIFICATIONS:
        record_derogation(
            actor=prefect,
            target=contract,
            rule_id="ctai.signatory.type",
            justification=SIGNATORY_JUSTIFICATIONS[spec.signatory],
            campaign_year=spec.year,
        )


def _walk_contract(
    spec: DemoContract,
    users: dict[str, User],
    authorities: dict[str, Authority],
    campaigns: dict[int, Campaign],
    ctair: dict[str, Contract],
) -> Contract:
    signatory = SIGNATORIES[spec.signatory]
    agent, prefect, diair = users[signatory.agent], users[PREFECTS[signatory.department]], users[DIAIR]
    opener = {"agent": agent, "prefect": prefect, "diair": diair}[spec.opened_by]
    story = _story_dates(spec)
    if spec.widens:
        with moment(story[S.LETTER_RECEIVED]):
            contract = _declare_widening(ctair[spec.signatory], opener, signatory, spec.letter)
            _signatory_derogation(spec, contract, prefect)
        path = WIDENING_PATH
    else:
        with moment(story["created"]):
            contract = contract_services.create_contract(
                user=opener,
                authority=authorities[spec.signatory],
                campaign=campaigns[spec.year],
                kind=spec.kind,
                title=spec.title,
            )
        path = PATH
    reaches: dict[str, str] = {S.WIDENED: S.SIGNED, S.ENDED: S.SIGNED, S.ABANDONED: spec.abandoned_at}
    reach = reaches.get(spec.state, spec.state)
    steps = path[1 : path.index(reach) + 1]
    for step in steps:
        with moment(story.get(step, story["signed"])):
            contract = _contract_step(spec, step, reach, contract, signatory, agent, prefect, diair)
    if spec.state == S.ENDED:
        with moment(story["ended"]):
            contract = contract_services.apply_transition(
                contract=contract, name=T.END, user=prefect, reason=spec.reason
            )
    elif spec.state == S.ABANDONED:
        with moment(story["abandoned"]):
            contract = contract_services.apply_transition(
                contract=contract, name=T.ABANDON, user=agent, reason=spec.reason
            )
    return contract


def _story_dates(spec: DemoContract) -> dict[str, date]:
    """The days of a contract's story (issue 10: a 2019 signature is dated 2019 in its timeline):
    the letter, the diagnosis a few weeks later, the drafting, the signature, the end."""
    letter = spec.letter or spec.declared or date(spec.year, 10, 1)
    signed = spec.signed or letter + timedelta(days=180)
    drafting = max(letter + timedelta(days=40), signed - timedelta(days=60))
    if spec.declared and not spec.widens:  # a CTAIR in negotiation: carried on after the declaration
        drafting = max(drafting, spec.declared + timedelta(days=10))
        signed = max(signed, drafting + timedelta(days=30))
    return {
        "created": letter - timedelta(days=30),
        S.LETTER_RECEIVED: letter,
        S.DIAGNOSIS: letter + timedelta(days=20),
        S.DRAFTING: drafting,
        S.SIGNED: signed,
        "signed": signed,
        "ended": signed + timedelta(days=3 * 365),
        "abandoned": letter + timedelta(days=120),
    }


def _contract_step(
    spec: DemoContract,
    step: str,
    reach: str,
    contract: Contract,
    signatory: Signatory,
    agent: User,
    prefect: User,
    diair: User,
) -> Contract:
    """One step of a demo contract's negotiation, taken by its actor."""
    if step == S.LETTER_RECEIVED:
        _signatory_derogation(spec, contract, prefect)
        if spec.late_letter:
            record_derogation(
                actor=prefect,
                target=contract,
                rule_id="ctai.letter.deadline",
                justification=LATE_LETTER_JUSTIFICATION,
                campaign_year=spec.year,
            )
        contract = contract_services.apply_transition(
            contract=contract,
            name=T.RECORD_LETTER,
            user=agent,
            letter_date=spec.letter,
            signature_year=spec.signature_year,
        )
    elif step == S.DIAGNOSIS:
        contract = contract_services.apply_transition(contract=contract, name=T.START_DIAGNOSIS, user=prefect)
        contract_services.save_diagnosis(
            user=agent, contract=contract, **_diagnosis(signatory, complete=reach != S.DIAGNOSIS)
        )
    elif step == S.DRAFTING:
        # The Diair supports the diagnostic of the CTAI; the préfet closes the CTAIR's.
        closer = diair if contract.kind == ContractKind.CTAI else prefect
        contract = contract_services.apply_transition(contract=contract, name=T.COMPLETE_DIAGNOSIS, user=closer)
    elif step == S.SIGNED:
        contract = contract_services.apply_transition(
            contract=contract, name=T.SIGN, user=prefect, **_sign_data(spec, signatory, prefect)
        )
        if signatory.coordinator_when == "after" and contract.kind == ContractKind.CTAI:
            # F20: signed without a coordinator, the collectivité names one afterwards.
            named = _coordinator(spec, signatory)
            contract = contract_services.record_coordinator(
                user=agent,
                contract=contract,
                name=named["coordinator_name"],
                role=named["coordinator_role"],
                contact=named["coordinator_contact"],
            )
    if spec.widened_at == step:  # F16: a CTAIR in negotiation, carried on as the CTAI
        with moment(spec.declared) if spec.declared else nullcontext():
            contract = _declare_widening(contract, agent, signatory, spec.declared)
    return contract


# F13: the need of the diagnostic each kind of action answers; F07: how it complements the CIR.
ACTION_NEEDS: dict[str, tuple[str, str]] = {
    "logement": (
        "Des BPI sortant de centre provisoire d'hébergement sans solution de logement.",
        "Relaie le volet logement de l'accompagnement global proposé à la signature du CIR.",
    ),
    "langue": (
        "L'offre linguistique s'arrête au niveau A1 et ne s'adapte pas aux horaires de travail.",
        "Prolonge la formation linguistique prescrite par le CIR vers les niveaux A2 et B1.",
    ),
    "emploi": (
        "Peu de parcours vers l'emploi adaptés aux primo-arrivants.",
        "Poursuit l'entretien de fin de CIR et l'orientation vers le service public de l'emploi.",
    ),
    "sante": (
        "Un accès aux soins et au suivi psychologique difficile pour les personnes exilées.",
        "Complète la journée de formation civique du CIR sur l'accès aux droits de santé.",
    ),
    "jeunes": (
        "Aucune offre pour les jeunes de 18 à 25 ans sans ressources.",
        "Accompagne les jeunes signataires du CIR vers la formation et l'emploi.",
    ),
    "mobilite": (
        "Des lieux de formation et d'emploi difficiles d'accès sans permis de conduire.",
        "Lève les freins à la mobilité pour suivre les formations du CIR.",
    ),
    "numerique": (
        "Des démarches en ligne que beaucoup ne peuvent pas faire seuls.",
        "Aide aux démarches en ligne du parcours d'intégration engagé par le CIR.",
    ),
    "garde": (
        "Des mères isolées qui ne peuvent suivre ni formation ni emploi faute de garde.",
        "Permet aux parents de suivre les formations linguistique et civique du CIR.",
    ),
    "parrainage": (
        "L'isolement des personnes réfugiées dans leur nouveau quartier.",
        "Prolonge la formation civique du CIR par des rencontres avec les habitants.",
    ),
    "coordination": (
        "Des acteurs nombreux qui ne se connaissent pas et des parcours sans suivi.",
        "Articule les acteurs locaux avec l'OFII, qui signe le CIR avec chaque primo-arrivant.",
    ),
}


def _action_fields(action: DemoAction, signatory: Signatory, authority: Authority) -> dict[str, Any]:
    kind = ACTION_KINDS[action.kind]
    amount = Decimal(action.amount)
    fields: dict[str, Any] = {
        "title": kind.title,
        "description": kind.description.format(lieu=signatory.place),
        "diagnosis_need": ACTION_NEEDS.get(action.kind, ("", ""))[0],
        "cir_link": ACTION_NEEDS.get(action.kind, ("", ""))[1],
        "domains": list(kind.domains),
        "public": action.public or (ActionPublic.BPI if action.others == 0 else ActionPublic.NEWCOMERS),
        "planned_bpi": action.bpi,
        "planned_newcomers": action.others,
        "part": action.part,
        "priority": ACTION_PRIORITIES[action.kind],
        # The State funds about 70 % of the action; the carrier and its co-funders the rest.
        "budget": _round(amount / Decimal("0.7")),
        "state_amount": amount,
    }
    if action.association is None:
        fields.update(carrier_kind=CarrierKind.AUTHORITY, carrier_name=authority.name)
    else:
        department = signatory.department
        number = action.association + 1
        fields.update(
            carrier_kind=CarrierKind.ASSOCIATION,
            carrier_name=CTAI_ASSOCIATIONS[department][action.association],
            siret=demo_siret(department, number),
            rna=demo_rna(department, number),
        )
    return fields


def _walk_programming(
    spec: DemoProgramming,
    contract: Contract,
    users: dict[str, User],
    authorities: dict[str, Authority],
    campaigns: dict[int, Campaign],
) -> Programming:
    signatory = SIGNATORIES[spec.signatory]
    agent, prefect, diair = users[signatory.agent], users[PREFECTS[signatory.department]], users[DIAIR]
    day = _programming_days(spec, contract)
    with moment(day["created"]):
        programming = _draft_programming(spec, contract, agent, signatory, authorities, campaigns)
    if spec.state == P.DRAFT:
        return programming
    with moment(day["presented"]):
        programming = programming_services.apply_transition(
            programming=programming, name=PT.PRESENT, user=agent, reason=PRESENTATION
        )
    with moment(day["reviewed"]):
        for action, demo in zip(programming.actions.order_by("pk"), spec.actions, strict=True):
            if demo.review != PENDING:
                programming_services.review_action(
                    user=diair, action=action, decision=demo.review, reason=demo.review_reason
                )
    with moment(day["decided"]):
        if spec.state == P.CHANGES_REQUESTED:
            return programming_services.apply_transition(
                programming=programming, name=PT.REQUEST_CHANGES, user=diair, reason=spec.changes_reason
            )
        if spec.state not in (P.APPROVED, P.COMMITTED, P.CLOSED):
            return programming
        programming = programming_services.apply_transition(
            programming=programming, name=PT.APPROVE, user=diair, reason=APPROVAL
        )
    if spec.state in (P.COMMITTED, P.CLOSED):
        with moment(day["committed"]):
            # The year's credits committed, the advance paid (`finance.services.fund`).
            programming = programming_services.apply_transition(programming=programming, name=PT.COMMIT, user=prefect)
    if spec.state == P.CLOSED:
        assert spec.report is not None, spec
        received, spent_base, spent_complement = spec.report
        with moment(day["closed"]):
            for action in programming.actions.filter(review=ActionReview.ACCEPTED):
                accept_final_report(target=action, agent=agent, reviewer=prefect, spent=action.state_amount)
            programming = programming_services.apply_transition(
                programming=programming,
                name=PT.CLOSE,
                user=prefect,
                reason=REPORT,
                report_received_on=received,
                final_base_amount=spent_base,
                final_complement_amount=spent_complement,
            )
    return programming


def _programming_days(spec: DemoProgramming, contract: Contract) -> dict[str, date]:
    """The days of a programming's story, in its campaign year (never before its contract's
    signature): drafted, presented three weeks later, reviewed, decided, committed; closed once its
    report is received."""
    start = date(spec.year, 1, 15)
    if contract.signed_on is not None:
        start = max(start, contract.signed_on + timedelta(days=7))
    days = {
        name: start + timedelta(days=offset)
        for name, offset in (("created", 0), ("presented", 21), ("reviewed", 35), ("decided", 49), ("committed", 70))
    }
    received = spec.report[0] if spec.report else days["committed"]
    days["closed"] = max(received + timedelta(days=10), days["committed"] + timedelta(days=30))
    return days


def _draft_programming(
    spec: DemoProgramming,
    contract: Contract,
    agent: User,
    signatory: Any,
    authorities: dict[str, Authority],
    campaigns: dict[int, Campaign],
) -> Programming:
    programming = programming_services.create_programming(
        user=agent,
        contract=contract,
        campaign=campaigns[spec.year],
        base_amount=Decimal(spec.base),
        complement_amount=Decimal(spec.complement),
    )
    for action in spec.actions:
        programming_services.add_action(
            user=agent, programming=programming, **_action_fields(action, signatory, authorities[spec.signatory])
        )
    return programming


def seed_demo_ctai() -> Seeded:
    """Create the demo CTAI accounts and campaigns that are missing, then the demo contracts and
    programmings (none if they exist). The programming transitions may notify the collectivité by
    e-mail after the commit: for the demo, those e-mails go nowhere (dummy mailer)."""
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        return _seed()


@transaction.atomic
def _seed() -> Seeded:
    seeded = Seeded()
    seeded.accounts_created = sum(1 for _, created in seed_demo_accounts(CTAI_ACCOUNTS) if created)
    users = _users()
    campaigns = {year: _ctair_campaign(year, users.get(ADMIN)) for year in (2019, 2020)}
    campaigns.update({c.year: c for c in Campaign.objects.filter(year__in=[2021, 2022])})
    if already_seeded():
        return seeded
    authorities = _authorities()
    ctair: dict[str, Contract] = {}
    ctai: dict[str, Contract] = {}
    for spec in DEMO_CONTRACTS:
        contract = _walk_contract(spec, users, authorities, campaigns, ctair)
        (ctair if spec.kind == ContractKind.CTAIR else ctai)[spec.signatory] = contract
        seeded.contracts.append(contract)
    for demo in DEMO_PROGRAMMINGS:
        programming = _walk_programming(demo, ctai[demo.signatory], users, authorities, campaigns)
        assert programming.state == demo.state, (demo.signatory, demo.year, programming.state)
        seeded.programmings.append(programming)
    for spec, contract in zip(DEMO_CONTRACTS, seeded.contracts, strict=True):
        contract.refresh_from_db()  # a widened CTAIR moved at its CTAI's signature
        assert contract.state == spec.state, (spec.title, contract.state)
    return seeded


def summary(seeded: Seeded) -> str:
    """« 21 contrat(s) (8 états), 7 programmation(s) (5 états), 15 compte(s) ajouté(s). »"""
    accounts = f"{seeded.accounts_created} compte(s) CTAI ajouté(s)"
    if not seeded.contracts:
        return f"0 créé(s), déjà présents ; {accounts}."
    states = Counter(c.state for c in seeded.contracts)
    steps = Counter(p.state for p in seeded.programmings)
    return (
        f"{len(seeded.contracts)} contrat(s) ({len(states)} états), {len(seeded.programmings)} programmation(s) "
        f"({len(steps)} états) ; {accounts}."
    )
