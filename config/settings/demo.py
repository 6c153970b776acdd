"""`make demo`: the site as production serves it, on SQLite, on this machine.

DEBUG off (French 404/403/500 pages), static files through WhiteNoise, tasks on the database queue
run by a `manage.py worker` started beside the web server (Procfile.demo), e-mails printed by the
worker. Only HTTPS and the secrets differ from production (config/settings/prod.py).
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, INSTALLED_APPS, LOGGING, MIDDLEWARE
from config.settings.env import env_bool, env_list, env_str

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [*MIDDLEWARE[: _security + 1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security + 1 :]]
# Served from the apps' static folders, no collectstatic step (production collects and hashes).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
STATIC_ROOT = None

# E-mails are written as files (one per message) in var/emails/, where `make demo` says to look.
MAILERS = {
    "default": {"BACKEND": "jobs.mail.OutboxEmailBackend"},
    "delivery": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(BASE_DIR / "var" / "emails")},
    },
}
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]
# The demo accounts are shared by everyone who tries the site: no authenticator app asked of them.
# Production always requires the second factor (prod.py); `SECOND_FACTOR_REQUIRED=1 make demo` tries it.
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", False)
# The demo's key for the Démarches Simplifiées tokens it stores (production: a secret of the environment).
DS_TOKEN_KEY = env_str("DS_TOKEN_KEY", "demo-only-ds-token-key")
