"""The collectivité picker: name (accents and case ignored), INSEE code, SIREN or postcode, from an index."""

import pytest
from django.db import connection

from core.text import PREFIX_SENTINEL, search_key
from referential.enums import AuthorityKind
from referential.models import Authority

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["Clermont-Ferrand", "clermont ferrand", "CLERMONT-FERRAND", "63113", "63000", "216301135"]
)
def test_picker_finds_clermont_ferrand(query):
    names = [a.name for a in Authority.objects.search(query)]
    assert "Clermont-Ferrand" in names


def test_exact_insee_code_comes_before_a_postcode():
    results = Authority.objects.search("63113")
    assert [a.name for a in results] == ["Clermont-Ferrand", "Picherande"]


def test_accents_are_ignored():
    names = [a.name for a in Authority.objects.search("evry courcouronnes")]
    assert "Évry-Courcouronnes" in names
    names = [a.name for a in Authority.objects.search("saint etienne metropole")]
    assert "Saint-Étienne Métropole" in names


def test_larger_population_comes_first():
    results = Authority.objects.search("saint")
    assert len(results) == 20
    populations = [a.population or 0 for a in results]
    assert populations == sorted(populations, reverse=True)


def test_departement_code_finds_the_departement_council():
    results = Authority.objects.search("38")
    assert any(a.kind == AuthorityKind.DEPARTEMENT and a.name == "Département de l'Isère" for a in results)


def test_corsican_insee_code():
    assert [a.name for a in Authority.objects.search("2A004")] == ["Ajaccio"]


def test_siren_finds_an_epci():
    assert [a.name for a in Authority.objects.search("200040715")] == ["Grenoble-Alpes-Métropole"]


@pytest.mark.parametrize("query", ["", "   ", "'-'", "zzzzzzzz", "99999"])
def test_nothing_found(query):
    assert Authority.objects.search(query) == []


def _plan(sql: str, params: list[str]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def test_name_search_uses_the_index_not_a_table_scan():
    key = search_key("clermont ferrand")
    queryset = Authority.objects.filter(search_name__gte=key, search_name__lt=key + PREFIX_SENTINEL)
    sql, params = queryset.query.sql_with_params()
    plan = _plan(sql, list(params))
    assert "authority_search_name" in plan, plan
    if connection.vendor == "sqlite":
        assert "SCAN referential_authority" not in plan, plan


def test_postcode_search_uses_the_index():
    from referential.models import Postcode

    sql, params = Postcode.objects.filter(code="63000").query.sql_with_params()
    plan = _plan(sql, list(params))
    assert "SCAN referential_postcode\n" not in plan + "\n", plan
    assert "INDEX" in plan.upper(), plan
