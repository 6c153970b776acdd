"""Inserting many new rows at once: PostgreSQL COPY, one prepared INSERT run per row elsewhere.

`bulk_create` builds one model instance per row and one large parameterised INSERT per batch; for
tens of thousands of rows most of the time goes into Python (instances, SQL text, parameter
adaptation). COPY streams the values to the server row by row; SQLite runs one prepared statement
for every row. The database still checks every
constraint (NOT NULL, CHECK, UNIQUE, foreign keys at commit), and the ids come from the table's
sequence as with an INSERT: the caller reads them back by a natural key when it needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples of values in the order of `fields`, attnames such as `authority_id`,
    never the primary key) into `model`'s table; return how many. A column not named takes its
    database default (a model field's `default=` is not one): name every NOT NULL field. As with
    bulk_create, an auto_now(_add) date is the moment of the insert, whatever was given."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    now = timezone.now()
    now_positions = {
        i for i, f in enumerate(columns) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    if connection.vendor != "postgresql":
        # One prepared INSERT run for every row (sqlite3's executemany loops in C), each value
        # prepared by its field as the ORM would (dates, decimals, JSON).
        prepared = [
            [
                f.get_db_prep_save(now if i in now_positions else v, connection)
                for i, (f, v) in enumerate(zip(columns, row, strict=True))
            ]
            for row in rows
        ]
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        if prepared:
            with connection.cursor() as cursor:
                cursor.executemany(sql, prepared)
        return len(prepared)
    from psycopg.types.json import Jsonb

    json_positions = {i for i, f in enumerate(columns) if isinstance(f, models.JSONField)}
    if json_positions or now_positions:
        rows = (
            tuple(Jsonb(v) if i in json_positions else now if i in now_positions else v for i, v in enumerate(row))
            for row in rows
        )
    return copy_rows(model._meta.db_table, [str(f.column) for f in columns], rows)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """PostgreSQL only: COPY `rows` into `table` (a model's, or a temporary one); return how many."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
