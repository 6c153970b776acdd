"""Test settings: fast hashing, e-mails kept in memory, undefined template variables fail."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, TEMPLATES


class InvalidTemplateVariable(str):
    """Makes any undefined variable in a template raise instead of rendering as empty."""

    def __mod__(self, other: object) -> str:
        raise NameError(f"Undefined template variable: {other}")


DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")  # type: ignore[index]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# seed_demo writes the demo API tokens here in tests, not into the work tree's var/.
DEMO_TOKENS_FILE = BASE_DIR / "build" / "test-demo-tokens.json"
DS_TOKEN_KEY = "test-only-ds-token-key"
