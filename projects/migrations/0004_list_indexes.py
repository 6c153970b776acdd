"""Indexes for the PTAI lists and the API at national scale (docs/PERFORMANCE.md): the default sort
(newest first) and the sort by amount, each with the pk that breaks ties; on PostgreSQL, trigram
indexes on UPPER(title) and UPPER(reference) serve the text filter (`icontains` is
`UPPER(col::text) LIKE UPPER('%…%')`), which otherwise scans every file twice (count and page).
SQLite (the demo) has no pg_trgm: it keeps the scan."""

from django.db import migrations, models

TRIGRAM = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS project_title_trgm ON projects_project USING gin ((UPPER(title::text)) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS project_reference_trgm ON projects_project
    USING gin ((UPPER(reference::text)) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS project_title_trgm;
DROP INDEX IF EXISTS project_reference_trgm;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGRAM)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_project_cir_link")]

    operations = [
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["created_at", "id"], name="project_by_created"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["requested_amount", "id"], name="project_by_requested"),
        ),
        migrations.RunPython(forward, backward),
    ]
