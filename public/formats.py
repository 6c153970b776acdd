"""The two open-data formats of the awards: SCDL "subventions" 2.1.1 (CSV, the French standard,
`../shared/ref/scdl-subventions/schema.json`) and 360Giving 1.4.3 (a JSON data package).

Both take the same `Award` list (public/awards.py) and publish the same awards: those whose
attributing préfecture and beneficiary have a SIRET (`Award.publishable`)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from public.awards import Award

SCDL_FIELDS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
DISPOSITIF = "Territoires d'intégration"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
GIVING_PREFIX = "360G-territoires-integration"


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _period(award: Award) -> str:
    dates = award.payments or [award.awarded_on]
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    return first if first == last else f"{first}/{last}"


def scdl_row(award: Award) -> dict[str, str]:
    assert award.attributing is not None
    objet = f"{award.programme_label} — {award.title}"
    return {
        "nomAttribuant": award.attributing.name,
        "idAttribuant": award.attributing.siret,
        "dateConvention": award.awarded_on.isoformat(),
        "referenceDecision": award.reference,
        "nomBeneficiaire": award.authority.name,
        "idBeneficiaire": award.beneficiary_siret,
        "rnaBeneficiaire": "",
        "objet": objet[:256],
        "montant": _amount(award.amount),
        "nature": "aide en numéraire",
        # An advance at the commitment, the balance on the final report (F38, the ledger's tranches).
        "conditionsVersement": "échelonné",
        "datesPeriodeVersement": _period(award),
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1",
        "dispositifAide": DISPOSITIF,
    }


def scdl_csv(awards: list[Award]) -> bytes:
    """UTF-8, comma-separated, one header line: as the SCDL schema and its validators expect."""
    buffer = io.BytesIO()
    # Encoded line by line (a text buffer of the whole file would hold up to 4 bytes a character).
    with io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True) as text:
        writer = csv.DictWriter(text, fieldnames=SCDL_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        for award in awards:
            if award.publishable:
                writer.writerow(scdl_row(award))
        return buffer.getvalue()


def _org(siret: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"FR-SIRET-{siret}", "name": name, "addressCountry": "FR", **extra}


def giving_grant(award: Award, *, site_url: str) -> dict[str, Any]:
    assert award.attributing is not None
    grant: dict[str, Any] = {
        "id": f"{GIVING_PREFIX}-{award.key}",
        "title": award.title[:255],
        "description": award.description,
        "currency": "EUR",
        "amountAwarded": float(award.amount),
        "awardDate": award.awarded_on.isoformat(),
        "recipientOrganization": [_org(award.beneficiary_siret, award.authority.name)],
        "fundingOrganization": [_org(award.attributing.siret, award.attributing.name, department="Préfecture")],
        "grantProgramme": [{"title": f"{DISPOSITIF} — {award.programme_label}", "code": award.kind.upper()}],
        "beneficiaryLocation": [
            {
                "name": award.department.name,
                "countryCode": "FR",
                "geoCode": award.department.code,
                "geoCodeType": "DEP",
            }
        ],
        "url": f"{site_url}/territoires/{award.authority.pk}/",
        "dataSource": f"{site_url}/opendata/360giving.json",
    }
    if award.start_date and award.end_date:
        grant["plannedDates"] = [{"startDate": award.start_date.isoformat(), "endDate": award.end_date.isoformat()}]
    return grant


GIVING_GRANTS_MARKER = b'\n "grants": '  # the package's last key, at the first level of indentation


def giving_json(awards: list[Award], *, site_url: str, generated_at: datetime) -> bytes:
    """The data package, indented by one space; its grants come last (`GIVING_GRANTS_MARKER`).

    Each grant is serialised as soon as it is built and indented to its depth: the same bytes as
    `json.dumps(package, indent=1)` of the whole package, without holding every grant's dict."""
    package: dict[str, Any] = {
        "version": "1.4",
        "title": "Territoires d'intégration — subventions attribuées",
        "description": (
            "Les financements de l'État attribués aux collectivités au titre des contrats (CTAI) et des "
            "projets (PTAI) territoriaux d'accueil et d'intégration."
        ),
        "issued": generated_at.isoformat(),
        "modified": generated_at.isoformat(),
        "identifier": f"{GIVING_PREFIX}-subventions",
        "publisher": {"name": "Ministère de l'Intérieur — DGEF / DIAN", "website": site_url},
        "license": LICENCE_URL,
        "downloadURL": f"{site_url}/opendata/360giving.json",
        "accessURL": f"{site_url}/donnees-ouvertes/",
        "grants": [],
    }
    head = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    grants = [
        json.dumps(giving_grant(award, site_url=site_url), ensure_ascii=False, indent=1)
        .replace("\n", "\n  ")
        .encode("utf-8")
        for award in awards
        if award.publishable
    ]
    if not grants:
        return head
    assert head.endswith(b'"grants": []\n}')
    return head[: -len(b"]\n}")] + b"\n  " + b",\n  ".join(grants) + b"\n ]\n}"
