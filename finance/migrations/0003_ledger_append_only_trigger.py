"""The ledger is append-only in the database too, on PostgreSQL: a trigger refuses any UPDATE or
DELETE of a ledger entry, whatever door writes (the ORM already refuses; raw SQL, a shell, a bad
migration would not). TRUNCATE (the test runner's flush) is a statement, not a row change: it stays
possible. SQLite (the demo) relies on the model's save() and delete()."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION finance_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le grand livre est en ajout seul : une écriture ne se modifie ni ne se supprime (écrivez une contre-passation).'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS finance_ledgerentry_append_only ON finance_ledgerentry;
CREATE TRIGGER finance_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON finance_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION finance_ledgerentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS finance_ledgerentry_append_only ON finance_ledgerentry;
DROP FUNCTION IF EXISTS finance_ledgerentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_release_kind_and_file_delegations")]

    operations = [migrations.RunPython(forward, backward)]
