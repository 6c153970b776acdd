"""Finding the collectivité a spreadsheet means, the way people write its name — never guessing.

"Dijon Métropole", "Grenoble-Alpes Métropole", "Clermont-Ferrand (Ville)", "Lyon (Métropole de Lyon)",
"Ville de Marseille", "Carcassonne Agglo", "Métropole Rouen Normandie", an INSEE code or a SIREN.

Every name of the referential and the name written are folded the same way (`core_of`): accents,
case, hyphens and apostrophes go (`core.text.search_key`), articles go (« de », « la », « l' »…),
and the words that say what kind of collectivité it is (« Ville de », « (Ville) », « Métropole »,
« Eurométropole », « Agglo », « CA », « Communauté urbaine », « Département », « Région »…) are taken
out of the name and kept as a kind. "Grenoble-Alpes-Métropole" and "Grenoble-Alpes Métropole" are
then both `grenoble alpes`, an intercommunalité; "Ville de Marseille" is `marseille`, a commune.

A name is resolved when exactly one collectivité has that folded name (and the kind the name says,
if it says one). When the name says « Métropole » or « Agglo » and no intercommunalité has exactly
that name, one whose name contains those words is taken only if it is the only one ("Tours
Métropole" is Tours Métropole Val de Loire). The `departement` and `type_collectivite` columns break
ties between homonyms; when a single match contradicts them, the row is refused. Anything left with
several candidates is **ambiguous**, with nothing found **rejected**: both list the candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from core.text import search_key
from referential.enums import AuthorityKind, EpciNature
from referential.models import Authority, AuthorityDepartment, Department

K = AuthorityKind
ARTICLES = frozenset({"le", "la", "les", "l", "de", "du", "des", "d"})
# Phrases (folded tokens) that say the kind of a collectivité; longest first.
KIND_PHRASES: list[tuple[tuple[str, ...], str]] = [
    (("communaute", "d", "agglomeration"), K.EPCI),
    (("communaute", "de", "communes"), K.EPCI),
    (("communaute", "urbaine"), K.EPCI),
    (("etablissement", "public", "territorial"), K.EPCI),
    (("conseil", "departemental"), K.DEPARTEMENT),
    (("conseil", "general"), K.DEPARTEMENT),
    (("conseil", "regional"), K.REGION),
    (("collectivite", "territoriale"), K.REGION),
    (("metropole",), K.EPCI),
    (("eurometropole",), K.EPCI),
    (("agglomeration",), K.EPCI),
    (("agglo",), K.EPCI),
    (("departement",), K.DEPARTEMENT),
    (("region",), K.REGION),
]
# Only as the first word: "Ville de Marseille", "CA Carcassonne Agglo".
LEADING: list[tuple[tuple[str, ...], str]] = [
    (("ville", "de"), K.COMMUNE),
    (("ville", "d"), K.COMMUNE),
    (("commune", "de"), K.COMMUNE),
    (("commune", "d"), K.COMMUNE),
    (("mairie", "de"), K.COMMUNE),
    (("mairie", "d"), K.COMMUNE),
    (("ca",), K.EPCI),
    (("cc",), K.EPCI),
    (("cu",), K.EPCI),
    (("ept",), K.EPCI),
]
# A word in brackets after the name: "Clermont-Ferrand (Ville)", "Lyon (Métropole)".
BRACKET_KINDS = {
    "ville": K.COMMUNE,
    "commune": K.COMMUNE,
    "mairie": K.COMMUNE,
    "metropole": K.EPCI,
    "epci": K.EPCI,
    "agglo": K.EPCI,
    "agglomeration": K.EPCI,
    "departement": K.DEPARTEMENT,
    "region": K.REGION,
}
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mtp": "montpellier"}
BRACKETS = re.compile(r"\(([^)]*)\)")
DEPARTMENT_CODE = re.compile(r"^(\d{2,3}|2[ab])$")

# The `type_collectivite` column: a kind and, for an EPCI, its natures.
TYPE_HINTS: dict[str, tuple[str, frozenset[str]]] = {
    "commune": (K.COMMUNE, frozenset()),
    "metropole": (K.EPCI, frozenset({EpciNature.METRO, EpciNature.MET69})),
    "communaute_urbaine": (K.EPCI, frozenset({EpciNature.CU})),
    "communaute_agglomeration": (K.EPCI, frozenset({EpciNature.CA})),
    "communaute_communes": (K.EPCI, frozenset({EpciNature.CC})),
    "etablissement_public_territorial": (K.EPCI, frozenset({EpciNature.EPT})),
    "departement": (K.DEPARTEMENT, frozenset()),
    "region": (K.REGION, frozenset()),
}
MAX_CANDIDATES = 10


def _strip(tokens: list[str], phrase: tuple[str, ...]) -> tuple[list[str], bool]:
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if tuple(tokens[start : start + size]) == phrase:
            return tokens[:start] + tokens[start + size :], True
    return tokens, False


def core_of(name: str) -> tuple[str, str | None]:
    """The folded name without articles and kind words, and the kind those words said (or None)."""
    tokens = [ABBREVIATIONS.get(token, token) for token in search_key(BRACKETS.sub(" ", name)).split()]
    kind: str | None = None
    for phrase, phrase_kind in LEADING:
        if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
            tokens, kind = tokens[len(phrase) :], phrase_kind
            break
    for phrase, phrase_kind in KIND_PHRASES:
        remaining, found = _strip(tokens, phrase)
        if found and remaining:
            tokens, kind = remaining, kind or phrase_kind
    core = [token for token in tokens if token not in ARTICLES]
    return " ".join(core or tokens), kind


@dataclass(frozen=True)
class Candidate:
    pk: int
    kind: str
    nature: str
    name: str
    code: str  # the API's code: INSEE code, else SIREN
    department_id: int | None
    population: int

    def as_report(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


FOUND, AMBIGUOUS, REJECTED = "found", "ambiguous", "rejected"


@dataclass
class Resolution:
    status: str
    authority: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""


def _plural(items: list[Candidate]) -> str:
    return "s" if len(items) > 1 else ""


class Matcher:
    """Loads the referential once (≈ 37 000 names, folded) and resolves the rows of a file."""

    def __init__(self) -> None:
        self.by_core: dict[str, list[Candidate]] = defaultdict(list)
        self.by_insee: dict[str, list[Candidate]] = defaultdict(list)
        self.by_siren: dict[str, Candidate] = {}
        self.epci_cores: list[tuple[str, Candidate]] = []
        fields = ("pk", "kind", "epci_nature", "name", "insee_code", "siren", "department_id", "population")
        for pk, kind, nature, name, insee, siren, department_id, population in Authority.objects.values_list(*fields):
            candidate = Candidate(pk, kind, nature, name, insee or siren, department_id, population or 0)
            core, _ = core_of(name)
            self.by_core[core].append(candidate)
            if insee:
                self.by_insee[insee.upper()].append(candidate)
            if siren:
                self.by_siren[siren] = candidate
            if kind == K.EPCI:
                self.epci_cores.append((f" {core} ", candidate))
        self.departments = {d.code: d for d in Department.objects.all()}
        self.department_names = {search_key(d.name): d for d in self.departments.values()}

    # --- hints ------------------------------------------------------------------------------------

    def department(self, text: str) -> Department | None:
        """A département from its code ("38", "2A", "974", "1") or its name ("Isère"); None if unknown."""
        key = search_key(text)
        compact = key.replace(" ", "").upper()
        if compact.isdigit() and len(compact) == 1:
            compact = f"0{compact}"
        return self.departments.get(compact) or self.department_names.get(key)

    def _spans(self, candidates: list[Candidate]) -> dict[int, set[int]]:
        spans: dict[int, set[int]] = {c.pk: {c.department_id} if c.department_id else set() for c in candidates}
        links = AuthorityDepartment.objects.filter(authority_id__in=[c.pk for c in candidates])
        for authority_id, department_id in links.values_list("authority_id", "department_id"):
            spans[authority_id].add(department_id)
        return spans

    # --- resolution -------------------------------------------------------------------------------

    def resolve(self, text: str, *, department: Department | None = None, type_hint: str = "") -> Resolution:
        text = " ".join(str(text or "").split())
        if not text:
            return Resolution(status=REJECTED, reason="La colonne « collectivite » est vide.")
        hinted = TYPE_HINTS.get(type_hint) if type_hint else None
        if department is None:  # "Saint-Denis (93)"
            for inner in BRACKETS.findall(text):
                code = search_key(inner).replace(" ", "")
                if DEPARTMENT_CODE.match(code):
                    department = self.department(code)
        found, kind = self._lookup(text, department)
        if isinstance(found, Resolution):
            return found
        return self._narrow(text, found, kind=kind, department=department, hinted=hinted)

    def _lookup(self, text: str, department: Department | None) -> tuple[list[Candidate] | Resolution, str | None]:
        compact = text.replace(" ", "").upper()
        if compact.isdigit() and len(compact) == 9:
            siren = self.by_siren.get(compact)
            return (
                [siren] if siren else Resolution(status=REJECTED, reason=f"Aucune collectivité n'a le SIREN {compact}.")
            ), None
        if compact.isdigit() and len(compact) == 14:
            return Resolution(
                status=REJECTED, reason="C'est un SIRET : indiquez le SIREN (ses 9 premiers chiffres) ou le nom."
            ), None
        if DEPARTMENT_CODE.match(compact.lower()) or (
            len(compact) == 5 and (compact.isdigit() or compact[:2] in ("2A", "2B"))
        ):
            found = self.by_insee.get(compact, [])
            if not found:
                return Resolution(status=REJECTED, reason=f"Aucune collectivité n'a le code INSEE {compact}."), None
            return list(found), None
        kind: str | None = None
        for inner in BRACKETS.findall(text):
            key = search_key(inner)
            if key in BRACKET_KINDS:
                kind = BRACKET_KINDS[key]
            elif DEPARTMENT_CODE.match(key.replace(" ", "")):
                pass  # "Saint-Denis (93)": read by `resolve_row` as a département hint
            elif key:
                # "Lyon (Métropole de Lyon)": the bracket names the collectivité itself.
                inner_found, inner_kind = self._lookup(inner, department)
                if isinstance(inner_found, list) and inner_found:
                    narrowed = self._filter_kind(inner_found, inner_kind, inner)
                    if isinstance(narrowed, list) and narrowed:
                        return narrowed, inner_kind
        core, name_kind = core_of(text)
        kind = kind or name_kind
        found = list(self.by_core.get(core, []))
        narrowed = self._filter_kind(found, kind, text)
        return narrowed, kind

    def _filter_kind(self, found: list[Candidate], kind: str | None, text: str) -> list[Candidate] | Resolution:
        if kind is None:
            return found
        of_kind = [c for c in found if c.kind == kind]
        if of_kind or kind != K.EPCI:
            return of_kind
        # "Tours Métropole": no EPCI is named exactly so; one whose name holds those words, if only one.
        core, _ = core_of(text)
        if not core:
            return []
        return [c for padded, c in self.epci_cores if f" {core} " in padded]

    def _narrow(
        self,
        text: str,
        found: list[Candidate],
        *,
        kind: str | None,
        department: Department | None,
        hinted: tuple[str, frozenset[str]] | None,
    ) -> Resolution:
        if not found:
            suggestions = [
                Candidate(a.pk, a.kind, a.epci_nature, a.name, a.code, a.department_id, a.population or 0)
                for a in Authority.objects.search(core_of(text)[0] or text, limit=5)
            ]
            what: dict[str, str] = {
                K.COMMUNE: "commune",
                K.EPCI: "intercommunalité",
                K.DEPARTEMENT: "département",
                K.REGION: "région",
            }
            label = what.get(kind or "", "collectivité")
            return Resolution(
                status=REJECTED,
                candidates=suggestions,
                reason=f"Aucune {label} ne porte le nom « {text} » dans le référentiel.",
            )

        def fits_type(c: Candidate) -> bool:
            return hinted is None or (c.kind == hinted[0] and (not hinted[1] or c.nature in hinted[1]))

        spans = self._spans(found) if department is not None else {}

        def fits_department(c: Candidate) -> bool:
            return department is None or department.pk in spans.get(c.pk, set())

        if len(found) == 1:
            only = found[0]
            if not fits_type(only):
                return Resolution(
                    status=REJECTED,
                    candidates=[only],
                    reason=f"« {text} » désigne {only.name}, qui n'est pas du type indiqué (type_collectivite).",
                )
            if not fits_department(only):
                return Resolution(
                    status=REJECTED,
                    candidates=[only],
                    reason=f"« {text} » désigne {only.name}, qui n'est pas dans le département {department}.",
                )
            return Resolution(status=FOUND, authority=only)
        narrowed = [c for c in found if fits_type(c)] or found
        narrowed = [c for c in narrowed if fits_department(c)] or (narrowed if department is None else [])
        if len(narrowed) == 1:
            return Resolution(status=FOUND, authority=narrowed[0])
        if not narrowed:
            shown = sorted(found, key=lambda c: -c.population)[:MAX_CANDIDATES]
            return Resolution(
                status=REJECTED,
                candidates=shown,
                reason=f"Aucune collectivité « {text} » dans le département {department}.",
            )
        shown = sorted(narrowed, key=lambda c: (-c.population, c.name))[:MAX_CANDIDATES]
        return Resolution(
            status=AMBIGUOUS,
            candidates=shown,
            reason=f"{len(narrowed)} collectivités répondent au nom « {text} » : précisez le département "
            "(colonne departement), le type (colonne type_collectivite) ou le code INSEE / SIREN.",
        )
