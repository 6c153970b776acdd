"""An API token for every demo account, listed in `var/demo-tokens.json` (git-ignored).

The file is a list of {"email", "role", "scope", "token"} (scope as a person reads it:
"Isère (38)", "Grenoble-Alpes-Métropole", "National"). Idempotent: an account's token is derived from
SECRET_KEY and its address (stored hashed, `accounts.tokens`), so a second run writes the same file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Membership, User
from accounts.tokens import ensure_demo_token
from demo.accounts import DEMO_ACCOUNTS

# A test settings module may point DEMO_TOKENS_FILE elsewhere, so that a test run leaves a
# developer's file alone.
DEFAULT_TOKENS_FILE = Path(getattr(settings, "DEMO_TOKENS_FILE", Path(settings.BASE_DIR) / "var" / "demo-tokens.json"))


@transaction.atomic
def seed_demo_tokens() -> list[dict[str, str]]:
    """Give each demo account a token (kept if it has one); returns the entries of the file."""
    users = {user.email: user for user in User.objects.filter(email__in=[a.address for a in DEMO_ACCOUNTS])}
    memberships = Membership.objects.filter(user__in=users.values()).select_related(
        "authority", "operator", "department", "region"
    )
    scopes = {(m.user_id, m.role): m.scope_label for m in memberships}
    entries = []
    for account in DEMO_ACCOUNTS:
        user = users[account.address]
        entries.append(
            {
                "email": account.address,
                "role": str(account.role),
                "scope": scopes[(user.pk, account.role)],
                "token": ensure_demo_token(user),
            }
        )
    return entries


def write_tokens_file(entries: list[dict[str, str]], path: Path = DEFAULT_TOKENS_FILE) -> Path:
    """Write the list atomically (a reader never sees half a file), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".demo-tokens-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(entries, file, ensure_ascii=False, indent=2)
        file.write("\n")
    os.replace(temporary, path)
    return path
