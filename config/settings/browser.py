"""The browser tests' demo server (tests/browser/conftest.py): the developer settings, with the test
settings' fast password hasher (each log-in of a journey would otherwise cost a third of a second of
PBKDF2 on the server; the hasher of production is tested by tests/accounts)."""

from config.settings.dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
