"""The tokens of `rest_framework.authtoken` (one per user, stored in clear) become personal access
tokens stored hashed (`accounts.ApiToken`): the same keys keep working, then the clear table goes."""

import hashlib

from django.db import migrations
from django.utils import timezone

TABLE = "authtoken_token"


def move_keys(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {TABLE}")
        rows = cursor.fetchall()
    def aware(created):
        if created is None:
            return timezone.now()
        return timezone.make_aware(created) if timezone.is_naive(created) else created

    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name="Jeton créé avant les jetons personnels",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            key_start=key[:10],
            created_at=aware(created),
        )
        for key, user_id, created in rows
    )
    schema_editor.execute(f"DROP TABLE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_tokens")]

    operations = [migrations.RunPython(move_keys, migrations.RunPython.noop)]
