"""Test settings: fast hashing, e-mails kept in memory, undefined template variables fail."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, INSTALLED_APPS, LOGGING, TEMPLATES


class InvalidTemplateVariable(str):
    """Makes any undefined variable in a template raise instead of rendering as empty."""

    def __mod__(self, other: object) -> str:
        raise NameError(f"Undefined template variable: {other}")


DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
# Tasks run at once, after the commit, in the test's process (tests/service runs the real worker).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")  # type: ignore[index]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# seed_demo writes the demo API tokens here in tests, not into the work tree's var/.
DEMO_TOKENS_FILE = BASE_DIR / "build" / "test-demo-tokens.json"
SITE_URL = "http://testserver"  # the links of the e-mails resolve with the test client

# One line per request and per task is for production logs, not for the test report.
LOGGING["loggers"]["jobs.request"] = {"level": "WARNING"}  # type: ignore[index]
LOGGING["loggers"]["jobs.task"] = {"level": "WARNING"}  # type: ignore[index]

# Deliberate: most tests log in with force_login or a password for pages, not for the second
# factor. tests/web/test_second_factor.py turns it back on and proves the real flow.
SECOND_FACTOR_REQUIRED = False
DS_TOKEN_KEY = "test-only-ds-token-key"
# No test ever reaches the live Démarches Simplifiées: a closed local port (tests use recorded answers).
DS_API_URL = "http://127.0.0.1:9/api/v2/graphql"
