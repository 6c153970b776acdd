"""Rows inserted in bulk (COPY on PostgreSQL, bulk_create on SQLite) are ordinary rows."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from core.bulk import insert_rows
from referential.models import Operator, ReferentialImport

pytestmark = pytest.mark.django_db


def test_rows_inserted_in_bulk_take_their_ids_from_the_table_and_the_next_save_follows():
    rows = [(f"Association {n}", f"1234567800{n:04d}", f"W00000000{n}") for n in range(3)]
    assert insert_rows(Operator, ["name", "siret", "rna"], rows) == 3
    inserted = list(Operator.objects.filter(siret__startswith="12345678").order_by("siret"))
    assert [o.name for o in inserted] == ["Association 0", "Association 1", "Association 2"]
    assert [o.rna for o in inserted] == ["W000000000", "W000000001", "W000000002"]
    later = Operator.objects.create(name="Association créée ensuite", siret="98765432100017")
    assert later.pk not in {o.pk for o in inserted}


def test_a_json_value_inserted_in_bulk_reads_back_as_written_and_the_creation_date_is_the_insert_s():
    moment = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)
    before = timezone.now()
    insert_rows(
        ReferentialImport,
        ["vintage", "source", "imported_at", "counts", "duration_seconds"],
        [("2099", "essai", moment, {"communes": 3, "epci": 1}, 0.5)],
    )
    row = ReferentialImport.objects.get(vintage="2099")
    assert row.counts == {"communes": 3, "epci": 1}
    assert before <= row.imported_at <= timezone.now()  # auto_now_add, as with save() or bulk_create
