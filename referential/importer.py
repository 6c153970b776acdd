"""Import the Code officiel géographique snapshot shipped in referential/data/.

`import_snapshot()` is idempotent: it compares the snapshot with the database and writes only
differences (creations in bulk, updates in bulk, link rows added or removed). A second run on
the same snapshot changes nothing and records nothing.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from audit.services import record_event
from core.bulk import insert_rows
from core.labels import field_label
from core.text import search_key
from referential.enums import AuthorityKind, EpciNature
from referential.models import (
    Authority,
    AuthorityDepartment,
    Department,
    Postcode,
    ReferentialImport,
    Region,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SNAPSHOT = DATA_DIR / "cog-2026.json.gz"

# INSEE "type de nom en clair" (TNCC) -> the French link word: "Département de l'Isère".
_LINK_WORDS = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'", 6: "des ", 7: "de las ", 8: "de los "}
_ARTICLES = ("Le ", "La ", "Les ", "L'")

# Départements whose council no longer exists as such: Corse (Collectivité de Corse, 2018),
# Paris (Ville de Paris, 2019, the commune 75056), Martinique and Guyane (collectivités uniques).
DEPARTMENTS_WITHOUT_COUNCIL = {"2A", "2B", "75", "972", "973"}
# Régions whose council has a particular name; Mayotte's département exercises its powers.
REGION_COUNCIL_NAMES = {
    "94": "Collectivité de Corse",
    "02": "Collectivité territoriale de Martinique",
    "03": "Collectivité territoriale de Guyane",
}
REGIONS_WITHOUT_COUNCIL = {"06"}


@dataclass
class ImportReport:
    vintage: str
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    links_added: int = 0
    links_removed: int = 0
    obsolete: int = 0
    duration_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.links_added or self.links_removed)

    def summary(self) -> str:
        def fmt(counter: Counter[str]) -> str:
            return ", ".join(f"{k}: {v}" for k, v in sorted(counter.items()) if v) or "aucune"

        return (
            f"Référentiel {self.vintage} : créations {fmt(self.created)} ; mises à jour {fmt(self.updated)} ; "
            f"liens ajoutés {self.links_added}, retirés {self.links_removed} ; "
            f"absents du millésime (conservés) {self.obsolete} ; en {self.duration_seconds:.1f} s."
        )


def council_name(name: str, liaison: int, prefix: str) -> str:
    bare = name
    for article in _ARTICLES:
        if name.startswith(article):
            bare = name[len(article) :]
            break
    return f"{prefix} {_LINK_WORDS.get(liaison, 'de ')}{bare}"


def load_snapshot(path: Path = DEFAULT_SNAPSHOT) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def import_snapshot(path: Path = DEFAULT_SNAPSHOT) -> ImportReport:
    started = time.monotonic()
    data = load_snapshot(path)
    report = ImportReport(vintage=data["vintage"])
    with transaction.atomic():
        regions = _sync_simple(Region, data["regions"], ["name", "zone"], report, lambda r: {})
        departments = _sync_simple(
            Department,
            data["departements"],
            ["name", "zone", "region_id", "name_with_link"],
            report,
            lambda d: {
                "region_id": regions[d["region"]].pk,
                "name_with_link": council_name(d["name"], d["liaison"], "").strip(),
            },
        )
        _sync_authorities(data, regions, departments, report)
        report.duration_seconds = time.monotonic() - started
        report.counts = referential_counts()
        if report.changed:
            ReferentialImport.objects.create(
                vintage=data["vintage"],
                source=data["source"],
                counts=report.counts,
                duration_seconds=report.duration_seconds,
            )
            record_event(actor=None, verb="referential.imported", target=None, details={"summary": report.summary()})
    return report


def referential_counts() -> dict[str, int]:
    """What is loaded, counted by the database (three aggregate queries)."""
    epci = Q(kind=AuthorityKind.EPCI)
    ept = Q(epci_nature=EpciNature.EPT)
    counts: dict[str, int] = Authority.objects.aggregate(
        communes=Count("pk", filter=Q(kind=AuthorityKind.COMMUNE)),
        epci=Count("pk", filter=epci & ~ept),
        ept=Count("pk", filter=epci & ept),
        departements_collectivites=Count("pk", filter=Q(kind=AuthorityKind.DEPARTEMENT)),
        regions_collectivites=Count("pk", filter=Q(kind=AuthorityKind.REGION)),
    )
    return {"regions": Region.objects.count(), "departements": Department.objects.count(), **counts}


def _sync_simple(
    model: Any, rows: list[dict[str, Any]], fields: list[str], report: ImportReport, extra: Any
) -> dict[str, Any]:
    existing = {obj.code: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        values = {"name": row["name"], "zone": row["zone"], **extra(row)}
        obj = existing.get(row["code"])
        if obj is None:
            obj = model(code=row["code"], **values)
            to_create.append(obj)
            existing[row["code"]] = obj
        elif any(getattr(obj, f) != values[f] for f in fields):
            for f in fields:
                setattr(obj, f, values[f])
            to_update.append(obj)
    label = str(model._meta.verbose_name)
    model.objects.bulk_create(to_create)
    model.objects.bulk_update(to_update, fields)
    report.created[label] += len(to_create)
    report.updated[label] += len(to_update)
    if to_create and not all(obj.pk for obj in to_create):  # SQLite < 3.35 does not return ids
        existing = {obj.code: obj for obj in model.objects.all()}
    return existing


def _sync_authorities(
    data: dict[str, Any], regions: dict[str, Region], departments: dict[str, Department], report: ImportReport
) -> None:
    commune_rows = {c["code"]: c for c in data["communes"]}
    population_by_dep: Counter[str] = Counter()
    for commune in data["communes"]:
        population_by_dep[commune["departement"]] += commune["population"] or 0

    # Desired state, keyed by (kind, natural key).
    desired: dict[tuple[str, str], dict[str, Any]] = {}
    spans: dict[tuple[str, str], set[str]] = {}
    for commune in data["communes"]:
        dep = departments[commune["departement"]]
        key = (AuthorityKind.COMMUNE.value, commune["code"])
        desired[key] = {
            "kind": AuthorityKind.COMMUNE,
            "insee_code": commune["code"],
            "name": commune["name"],
            "siren": commune["siren"],
            "epci_nature": "",
            "population": commune["population"],
            "department_id": dep.pk,
            "region_id": dep.region_id,
        }
        spans[key] = {commune["departement"]}
    membership: dict[str, dict[str, str]] = {"epci": {}, "ept": {}}
    for epci in data["epci"]:
        member_deps: Counter[str] = Counter()
        for code in epci["members"]:
            member_deps[commune_rows[code]["departement"]] += (commune_rows[code]["population"] or 0) + 1
            membership["ept" if epci["nature"] == EpciNature.EPT else "epci"][code] = epci["siren"]
        main_dep = departments[member_deps.most_common(1)[0][0]]
        key = (AuthorityKind.EPCI.value, epci["siren"])
        desired[key] = {
            "kind": AuthorityKind.EPCI,
            "insee_code": "",
            "name": epci["name"],
            "siren": epci["siren"],
            "epci_nature": epci["nature"],
            "population": epci["population"],
            "department_id": main_dep.pk,
            "region_id": main_dep.region_id,
        }
        spans[key] = set(member_deps)
    for dep_row in data["departements"]:
        if dep_row["code"] in DEPARTMENTS_WITHOUT_COUNCIL:
            continue
        dep = departments[dep_row["code"]]
        key = (AuthorityKind.DEPARTEMENT.value, dep_row["code"])
        desired[key] = {
            "kind": AuthorityKind.DEPARTEMENT,
            "insee_code": dep_row["code"],
            "name": council_name(dep_row["name"], dep_row["liaison"], "Département"),
            "siren": "",
            "epci_nature": "",
            "population": population_by_dep[dep_row["code"]],
            "department_id": dep.pk,
            "region_id": dep.region_id,
        }
        spans[key] = {dep_row["code"]}
    for region_row in data["regions"]:
        if region_row["code"] in REGIONS_WITHOUT_COUNCIL:
            continue
        region = regions[region_row["code"]]
        region_deps = {d["code"] for d in data["departements"] if d["region"] == region_row["code"]}
        key = (AuthorityKind.REGION.value, region_row["code"])
        desired[key] = {
            "kind": AuthorityKind.REGION,
            "insee_code": region_row["code"],
            "name": REGION_COUNCIL_NAMES.get(region_row["code"]) or f"Région {region_row['name']}",
            "siren": "",
            "epci_nature": "",
            "population": sum(population_by_dep[d] for d in region_deps),
            "department_id": None,
            "region_id": region.pk,
        }
        spans[key] = region_deps
    for values in desired.values():
        values["search_name"] = search_key(values["name"])

    # Groupings, départements and régions first, so that communes are written with their EPCI.
    communes = {k: v for k, v in desired.items() if k[0] == AuthorityKind.COMMUNE}
    ids = _sync_authority_rows({k: v for k, v in desired.items() if k not in communes}, report)
    for values in communes.values():
        code = values["insee_code"]
        values["epci_id"] = ids.get((AuthorityKind.EPCI.value, membership["epci"].get(code, "")))
        values["ept_id"] = ids.get((AuthorityKind.EPCI.value, membership["ept"].get(code, "")))
    ids.update(_sync_authority_rows(communes, report))

    # Authority -> départements it spans
    dep_ids = {code: dep.pk for code, dep in departments.items()}
    want_spans = {(ids[key], dep_ids[code]) for key, codes in spans.items() for code in codes}
    have_spans = set(AuthorityDepartment.objects.order_by().values_list("authority_id", "department_id"))
    _apply_link_diff(AuthorityDepartment, "authority_id", "department_id", want_spans, have_spans, report)

    # Postcodes
    want_postcodes = {
        (ids[(AuthorityKind.COMMUNE.value, c["code"])], postcode)
        for c in data["communes"]
        for postcode in c["postcodes"]
    }
    have_postcodes = set(Postcode.objects.order_by().values_list("authority_id", "code"))
    _apply_link_diff(Postcode, "authority_id", "code", want_postcodes, have_postcodes, report)


def _natural_key(kind: str, siren: str, insee_code: str) -> tuple[str, str]:
    return (kind, siren if kind == AuthorityKind.EPCI else insee_code)


def _sync_authority_rows(
    desired: dict[tuple[str, str], dict[str, Any]], report: ImportReport
) -> dict[tuple[str, str], int]:
    """Create or update the authorities of `desired`; return their ids by natural key.

    The database side is read as plain value rows (no model instance per authority): on a second
    run, comparing 36 000 rows is the whole cost."""
    kinds = {key[0] for key in desired}
    fields = list(next(iter(desired.values())))
    authorities = Authority.objects.filter(kind__in=kinds).order_by()
    existing: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for pk, *row in authorities.values_list("pk", *fields):
        values = dict(zip(fields, row, strict=True))
        existing[_natural_key(values["kind"], values["siren"], values["insee_code"])] = (pk, values)
    report.obsolete += len(set(existing) - set(desired))
    to_create: list[dict[str, Any]] = []
    to_update: list[tuple[Authority, dict[str, tuple[Any, Any]]]] = []
    for key, values in desired.items():
        found = existing.get(key)
        if found is None:
            to_create.append(values)
            continue
        pk, current = found
        changes = {f: (current[f], new) for f, new in values.items() if current[f] != new}
        if changes:
            to_update.append((Authority(pk=pk, **values), changes))
    insert_rows(Authority, fields, ([values[f] for f in fields] for values in to_create))
    if to_update:
        changed_fields = sorted({f for _, changes in to_update for f in changes})
        Authority.objects.bulk_update([obj for obj, _ in to_update], changed_fields, batch_size=500)
    for obj, changes in to_update:
        report.updated[f"collectivité {obj.kind}"] += 1
        record_event(
            actor=None,
            verb="referential.authority_updated",
            target=obj,
            details={field_label(Authority, f): f"{old} → {new}" for f, (old, new) in changes.items()},
        )
    for values in to_create:
        report.created[f"collectivité {values['kind']}"] += 1
    ids = {key: pk for key, (pk, _) in existing.items()}
    if to_create:  # COPY does not return the new ids: read them back by natural key
        for pk, kind, siren, insee_code in authorities.values_list("pk", "kind", "siren", "insee_code"):
            ids[_natural_key(kind, siren, insee_code)] = pk
    return ids


def _apply_link_diff(
    model: Any, left: str, right: str, want: set[tuple[Any, Any]], have: set[tuple[Any, Any]], report: ImportReport
) -> None:
    added = want - have
    removed = have - want
    insert_rows(model, [left, right], sorted(added))
    if removed:
        by_left: defaultdict[Any, list[Any]] = defaultdict(list)
        for a, b in removed:
            by_left[a].append(b)
        for a, values in by_left.items():
            model.objects.filter(**{left: a, f"{right}__in": values}).delete()
    report.links_added += len(added)
    report.links_removed += len(removed)
