"""Importing the Diair's spreadsheets of contracts: the first CTAIR wave (2019-2020) and the 2021
signatories, written the way people write them (F16, F42)."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from audit.models import Event
from contracts.enums import ContractKind, ContractState
from contracts.models import Contract, Programming
from imports.contracts import import_contracts
from imports.reading import FileError

pytestmark = pytest.mark.django_db

HEADER = (
    "Collectivité;Département;Type collectivité;Dispositif;Année signature;Montant annuel État;Date fin;Source;Remarque"
)
# The first wave of CTAIR (2019, Rennes in 2020), then the 2021 signatories, as a Diair table has them.
WAVE = [
    "Dijon Métropole;21;;CTAIR;2019;300 000;31/12/2021;Tableau Diair 2019;",
    "Grenoble-Alpes Métropole;38;;CTAIR;2019;300000;31/12/2021;Tableau Diair 2019;",
    "Lyon (Métropole de Lyon);;;ctair;2019;300 000,00 €;2021-12-31;Tableau Diair 2019;élargi en 2021",
    "Métropole du Grand Nancy;54;;CTAIR;2019;300 000;31/12/2021;;",
    "Bordeaux Métropole;33;metropole;CTAIR;2019;300 000;31/12/2021;;",
    "Nantes Métropole;;;CTAIR;2019;300 000;31/12/2021;;",
    "Eurométropole de Strasbourg;67;;CTAIR;2019;300 000;31/12/2021;;",
    "Toulouse Métropole;31;;CTAIR;2019;300 000;31/12/2021;;",
    "Brest Métropole;29;;CTAIR;2019;300 000;31/12/2021;;",
    "Clermont-Ferrand (Ville);63;;CTAIR;2019;300 000;31/12/2021;;ville signataire",
    "Rennes Métropole;35;;CTAIR;2020;300 000;31/12/2022;;",
    "Ville de Marseille;13;;CTAI;2021;300 000;;Communiqué 2021;",
    "Poitiers;86;commune;CTAI;2021;200 000;;;F43",
    "Clermont-Ferrand;63;commune;CTAI;2021;;;;",
    "Tours;37;commune;CTAI;2021;150 000;;;",
    "Carcassonne Agglo;11;;CTAI;2021;150 000;;;",
    "Métropole Rouen Normandie;;;CTAI;2021;250 000;;;",
    "Grenoble-Alpes-Métropole;;;CTAI;2021;300 000;;;",
]
EXPECTED = [  # (code, name) the API uses for each row of WAVE
    ("242100410", "Dijon Métropole"),
    ("200040715", "Grenoble-Alpes-Métropole"),
    ("200046977", "Métropole de Lyon"),
    ("245400676", "Métropole du Grand Nancy"),
    ("243300316", "Bordeaux Métropole"),
    ("244400404", "Nantes Métropole"),
    ("246700488", "Eurométropole de Strasbourg"),
    ("243100518", "Toulouse Métropole"),
    ("242900314", "Brest Métropole"),
    ("63113", "Clermont-Ferrand"),
    ("243500139", "Rennes Métropole"),
    ("13055", "Marseille"),
    ("86194", "Poitiers"),
    ("63113", "Clermont-Ferrand"),
    ("37261", "Tours"),
    ("200035715", "CA Carcassonne Agglo"),
    ("200023414", "Métropole Rouen Normandie"),
    ("200040715", "Grenoble-Alpes-Métropole"),
]
# Names that must never be guessed.
DOUBTFUL = [
    "Lyon;;;CTAI;2021;;;;",  # the commune or the métropole?
    "Saint-Denis;;;CTAI;2021;;;;",  # four communes
    "Métropole de Gotham;;;CTAI;2021;;;;",  # nothing
    "Tours Métropole;;communaute_urbaine;CTAI;2021;;;;",  # a métropole, not a communauté urbaine
    "Dijon Métropole;38;;CTAI;2021;;;;",  # not in Isère
]


def csv_bytes(*lines: str, bom: bool = True) -> bytes:
    text = "\n".join([HEADER, *lines]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def run(content: bytes, user: Any, **options: Any) -> Any:
    return import_contracts(content=content, file_name="ctair-ctai-diair.csv", user=user, **options)


def test_the_first_ctair_wave_and_the_2021_signatories_are_imported_each_to_its_collectivite(diair, ctair_campaigns):
    """F42: real signatories, cities among them, written as people write them; every row right."""
    outcome = run(csv_bytes(*WAVE), diair)

    rows = outcome.report()["rows"]
    assert [r["status"] for r in rows] == ["created"] * len(WAVE)
    assert [(r["authority"]["code"], r["authority"]["name"]) for r in rows] == EXPECTED
    assert [r["row"] for r in rows] == list(range(1, len(WAVE) + 1))
    assert Contract.objects.count() == len(WAVE)


def test_an_imported_contract_has_its_year_rules_its_state_its_amount_and_says_where_it_came_from(
    diair, ctair_campaigns
):
    run(csv_bytes(*WAVE), diair)

    dijon = Contract.objects.get(authority__siren="242100410", kind=ContractKind.CTAIR)
    assert dijon.campaign.year == 2019
    assert dijon.rules == dijon.campaign.rules()
    assert dijon.state == ContractState.ENDED  # its date_fin (31/12/2021) is past
    assert (dijon.signed_on, dijon.effective_to) == (date(2019, 1, 1), date(2021, 12, 31))
    programming = Programming.objects.get(contract=dijon)
    assert (programming.campaign.year, programming.base_amount) == (2019, Decimal("300000.00"))

    poitiers = Contract.objects.get(authority__insee_code="86194")
    assert (poitiers.kind, poitiers.state) == (ContractKind.CTAI, ContractState.SIGNED)
    assert poitiers.programmings.get().base_amount == Decimal("200000.00")
    clermont_ctai = Contract.objects.get(authority__insee_code="63113", kind=ContractKind.CTAI)
    assert clermont_ctai.state == ContractState.SIGNED
    assert not clermont_ctai.programmings.exists()  # no amount in the file, no figure invented

    event = Event.objects.for_target(dijon).get(verb="imports.contract_imported")
    assert event.actor == diair
    assert event.details["fichier"] == "ctair-ctai-diair.csv"
    assert event.details["ligne"] == 1
    assert event.details["source"] == "Tableau Diair 2019"
    assert event.label == "Contrat importé d'un tableur"


def test_importing_the_same_file_twice_creates_nothing_the_second_time(diair, ctair_campaigns):
    run(csv_bytes(*WAVE), diair)
    events = Event.objects.count()

    again = run(csv_bytes(*WAVE), diair)

    assert {r["status"] for r in again.report()["rows"]} == {"present"}
    assert Contract.objects.count() == len(WAVE)
    assert Programming.objects.count() == len(WAVE) - 1
    assert Event.objects.count() == events


def test_ambiguous_and_unknown_names_are_never_guessed(diair, ctair_campaigns):
    outcome = run(csv_bytes(*DOUBTFUL), diair, partial=True)

    rows = outcome.report()["rows"]
    assert [r["status"] for r in rows] == ["ambiguous", "ambiguous", "rejected", "rejected", "rejected"]
    assert all(r["authority"] is None for r in rows)
    lyon, saint_denis, gotham, tours, dijon = rows
    assert {c["code"] for c in lyon["candidates"]} == {"69123", "200046977"}
    assert len(saint_denis["candidates"]) == 4 and {c["name"] for c in saint_denis["candidates"]} == {"Saint-Denis"}
    assert "Aucune intercommunalité" in gotham["reason"]
    assert tours["candidates"] == [{"code": "243700754", "name": "Tours Métropole Val de Loire"}]
    assert "type" in tours["reason"]
    assert "Isère" in dijon["reason"]
    assert Contract.objects.count() == 0


def test_a_departement_or_a_type_breaks_the_tie_between_homonyms(diair, ctair_campaigns):
    outcome = run(
        csv_bytes(
            "Lyon;;commune;CTAI;2021;;;;",
            "Saint-Denis;93;;CTAI;2021;;;;",
            "Saint-Denis (974);;;CTAI;2021;;;;",
            "Dijon;;metropole;CTAI;2021;;;;",
            "242900314;;;CTAI;2021;;;;",
        ),
        diair,
    )

    codes = [r["authority"]["code"] for r in outcome.report()["rows"]]
    assert codes == ["69123", "93066", "97411", "242100410", "242900314"]


def test_a_file_with_one_bad_row_writes_nothing_without_partial(diair, ctair_campaigns):
    outcome = run(csv_bytes(*WAVE[:3], "Lyon;;;CTAI;2021;;;;"), diair)

    assert [r["status"] for r in outcome.report()["rows"]] == ["created", "created", "created", "ambiguous"]
    assert not outcome.written
    assert Contract.objects.count() == 0
    assert not Event.objects.filter(verb__startswith="imports.").exists()


def test_with_partial_the_good_rows_are_written_and_the_bad_ones_left_out(diair, ctair_campaigns):
    outcome = run(
        csv_bytes(*WAVE[:3], "Lyon;;;CTAI;2021;;;;", "Poitiers;86;;CTAI;2021;12,345.67;;;"), diair, partial=True
    )

    statuses = [r["status"] for r in outcome.report()["rows"]]
    assert statuses == ["created", "created", "created", "ambiguous", "rejected"]
    assert "ambigu" in outcome.report()["rows"][4]["reason"]
    assert Contract.objects.count() == 3


def test_a_dry_run_writes_nothing_and_says_what_would_be_done(diair, ctair_campaigns):
    outcome = run(csv_bytes(*WAVE), diair, dry_run=True)

    assert {r["status"] for r in outcome.report()["rows"]} == {"created"}
    assert Contract.objects.count() == 0
    assert "Rien n'a été écrit" in outcome.summary()


def test_a_contract_in_force_is_not_doubled_and_a_year_without_campaign_is_refused(diair, ctair_campaigns):
    outcome = run(
        csv_bytes(
            "Nantes Métropole;;;CTAIR;2019;;;;", "Nantes Métropole;;;CTAI;2021;;;;", "Brest Métropole;;;CTAI;2017;;;;"
        ),
        diair,
        partial=True,
    )

    first, second, third = outcome.report()["rows"]
    assert first["status"] == "created"
    assert second["status"] == "rejected" and "déjà un contrat en vigueur" in second["reason"]
    assert third["status"] == "rejected" and "Aucune campagne 2017" in third["reason"]


def test_an_xlsx_file_and_a_comma_csv_without_bom_are_read_alike(diair, ctair_campaigns):
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["collectivite", "dispositif", "annee_signature", "montant_annuel_etat", "date_fin", "autre"])
    sheet.append(["Dijon Métropole", "CTAIR", 2019, 300000, date(2021, 12, 31), "x"])
    sheet.append(["Clermont-Ferrand (Ville)", "CTAIR", 2019.0, 250000.5, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    outcome = import_contracts(content=buffer.getvalue(), file_name="vague.xlsx", user=diair)

    assert [r["status"] for r in outcome.report()["rows"]] == ["created", "created"]
    clermont = Contract.objects.get(authority__insee_code="63113")
    assert clermont.programmings.get().base_amount == Decimal("250000.50")
    assert clermont.state == ContractState.SIGNED

    comma = b"collectivite,dispositif,annee_signature\nRennes M\xc3\xa9tropole,CTAIR,2020\n"
    assert import_contracts(content=comma, file_name="r.csv", user=diair).report()["rows"][0]["status"] == "created"


def test_a_file_without_the_required_columns_or_not_in_utf8_is_refused_with_a_french_message(diair):
    with pytest.raises(FileError, match="Colonnes manquantes : dispositif, annee_signature"):
        import_contracts(content=b"collectivite;montant\nDijon;1\n", file_name="x.csv", user=diair)
    with pytest.raises(FileError, match="UTF-8"):
        import_contracts(content="collectivité;dispositif\n".encode("latin-1"), file_name="x.csv", user=diair)
    with pytest.raises(FileError, match="XLSX ne s'ouvre pas"):
        import_contracts(content=b"PK\x03\x04 broken", file_name="x.xlsx", user=diair)


def test_the_command_writes_the_report_and_prints_it_as_a_table(diair, ctair_campaigns, tmp_path: Path):
    source = tmp_path / "vague-2019.csv"
    source.write_bytes(csv_bytes(*WAVE[:2], "Lyon;;;CTAI;2021;;;;"))
    report = tmp_path / "report.json"
    out = io.StringIO()

    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command("import_contracts", str(source), user=diair.email, report=str(report), stdout=out)
    assert Contract.objects.count() == 0
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["rows"][2] == {
        "row": 3,
        "status": "ambiguous",
        "authority": None,
        "candidates": [{"code": "200046977", "name": "Métropole de Lyon"}, {"code": "69123", "name": "Lyon"}],
        "reason": written["rows"][2]["reason"],
    }
    assert "ambigu" in out.getvalue() and "Dijon Métropole (242100410)" in out.getvalue()

    call_command("import_contracts", str(source), user=diair.email, partial=True, stdout=io.StringIO())
    assert Contract.objects.count() == 2
    out = io.StringIO()
    call_command("import_contracts", str(source), user=diair.email, partial=True, dry_run=True, stdout=out)
    assert "présent" in out.getvalue()
