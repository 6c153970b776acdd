"""The 2026 Code officiel géographique, imported from the snapshot shipped in the repository."""

from collections import Counter

import pytest
from django.core.management import call_command

from audit.models import Event
from referential.enums import AuthorityKind, EpciNature, Zone
from referential.importer import import_snapshot, referential_counts
from referential.models import Authority, AuthorityDepartment, Department, Postcode, ReferentialImport, Region

pytestmark = pytest.mark.django_db


def test_regions_and_departements_of_metropolitan_france_and_the_five_drom():
    assert Region.objects.count() == 18
    assert Region.objects.filter(zone=Zone.METRO).count() == 13
    assert Region.objects.filter(zone=Zone.DROM).count() == 5
    assert Department.objects.count() == 101
    assert Department.objects.filter(zone=Zone.METRO).count() == 96
    assert set(Department.objects.filter(zone=Zone.DROM).values_list("code", flat=True)) == {
        "971",
        "972",
        "973",
        "974",
        "976",
    }


def test_the_34_875_communes_of_metro_and_drom():
    assert Authority.objects.filter(kind=AuthorityKind.COMMUNE).count() == 34_875
    # Every commune has an INSEE code, a SIREN and a département.
    communes = Authority.objects.filter(kind=AuthorityKind.COMMUNE)
    assert not communes.filter(insee_code="").exists()
    assert not communes.filter(siren="").exists()
    assert not communes.filter(department__isnull=True).exists()


def test_the_1_255_epci_by_nature():
    by_nature = Counter(
        Authority.objects.filter(kind=AuthorityKind.EPCI).values_list("epci_nature", flat=True).order_by()
    )
    assert by_nature == {
        EpciNature.CC: 989,
        EpciNature.CA: 230,
        EpciNature.METRO: 21,
        EpciNature.CU: 14,
        EpciNature.MET69: 1,
        EpciNature.EPT: 11,
    }
    assert sum(n for nature, n in by_nature.items() if nature != EpciNature.EPT) == 1_255


def test_departements_and_regions_are_collectivites_too():
    councils = Authority.objects.filter(kind=AuthorityKind.DEPARTEMENT)
    # 101 départements, less Corse (2), Paris, Martinique and Guyane which have no distinct council.
    assert councils.count() == 96
    assert councils.get(insee_code="38").name == "Département de l'Isère"
    assert councils.get(insee_code="69").name == "Département du Rhône"
    assert councils.get(insee_code="976").name == "Département de Mayotte"
    regions = Authority.objects.filter(kind=AuthorityKind.REGION)
    assert regions.count() == 17
    assert regions.get(insee_code="84").name == "Région Auvergne-Rhône-Alpes"
    assert regions.get(insee_code="94").name == "Collectivité de Corse"


def test_commune_belongs_to_its_epci_and_ept():
    grenoble = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="38185")
    assert grenoble.name == "Grenoble"
    assert grenoble.epci is not None
    assert grenoble.epci.name == "Grenoble-Alpes-Métropole"
    assert grenoble.epci.epci_nature == EpciNature.METRO
    assert grenoble.postcodes.filter(code="38000").exists()
    montreuil = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="93048")
    assert montreuil.epci is not None and montreuil.epci.name == "Métropole du Grand Paris"
    assert montreuil.ept is not None and montreuil.ept.epci_nature == EpciNature.EPT


def test_epci_spans_every_departement_of_its_members():
    grand_paris = Authority.objects.get(kind=AuthorityKind.EPCI, name="Métropole du Grand Paris")
    spanned = set(grand_paris.departments.values_list("code", flat=True))
    assert {"75", "92", "93", "94"} <= spanned
    assert grand_paris.department is not None and grand_paris.department.code == "75"
    region = Authority.objects.get(kind=AuthorityKind.REGION, insee_code="84")
    assert region.departments.count() == 12


def test_population_is_loaded():
    clermont = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="63113")
    assert clermont.siren == "216301135"
    assert clermont.population == 146_351


def test_a_second_import_changes_nothing():
    before = {
        "authorities": list(Authority.objects.order_by("pk").values_list("pk", "name", "population", "epci_id")),
        "spans": AuthorityDepartment.objects.count(),
        "postcodes": Postcode.objects.count(),
        "imports": ReferentialImport.objects.count(),
        "events": Event.objects.count(),
    }
    report = import_snapshot()
    assert not report.changed
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    after = {
        "authorities": list(Authority.objects.order_by("pk").values_list("pk", "name", "population", "epci_id")),
        "spans": AuthorityDepartment.objects.count(),
        "postcodes": Postcode.objects.count(),
        "imports": ReferentialImport.objects.count(),
        "events": Event.objects.count(),
    }
    assert after == before


def test_an_import_repairs_drift_and_records_it_on_the_authority():
    grenoble = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="38185")
    Authority.objects.filter(pk=grenoble.pk).update(name="Grenobel", search_name="grenobel", population=1)
    Postcode.objects.filter(authority=grenoble).delete()
    report = import_snapshot()
    assert report.changed
    assert report.updated["collectivité commune"] == 1
    grenoble.refresh_from_db()
    assert grenoble.name == "Grenoble"
    assert grenoble.search_name == "grenoble"
    assert grenoble.postcodes.exists()
    event = Event.objects.for_target(grenoble).get()
    assert event.verb == "referential.authority_updated"
    assert event.details["nom"] == "Grenobel → Grenoble"  # the French name of the field
    assert ReferentialImport.objects.latest().vintage == "2026"


def test_command_prints_what_it_did_and_how_long(capsys):
    call_command("import_referential")
    out = capsys.readouterr().out
    assert "Référentiel 2026" in out
    assert "Déjà à jour : rien n'a changé." in out
    assert " s." in out  # duration
    assert "communes 34875" in out


def test_counts_match_healthz_contract():
    counts = referential_counts()
    assert (counts["regions"], counts["departements"], counts["communes"], counts["epci"]) == (18, 101, 34_875, 1_255)
