"""Production: every secret and host comes from the environment; HTTPS only."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, LOGGING, MIDDLEWARE, STORAGES
from config.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
# Never read from the environment in production: State agents always have their second factor.
SECOND_FACTOR_REQUIRED = True
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Persistent connections (checked before use, CONN_HEALTH_CHECKS in base.py); 0 closes at each request.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)

LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]

# send_mail() writes to the outbox; the worker's deliver_email task hands each e-mail to SMTP.
MAILERS = {
    "default": {"BACKEND": "jobs.mail.OutboxEmailBackend"},
    "delivery": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("SMTP_HOST"),
            "port": env_int("SMTP_PORT", 587),
            "username": env_str("SMTP_USER", ""),
            "password": env_str("SMTP_PASSWORD", ""),
            "use_tls": env_bool("SMTP_USE_TLS", True),
            "timeout": env_int("SMTP_TIMEOUT", 20),
        },
    },
}

# Static files are served by WhiteNoise from STATIC_ROOT (run `manage.py collectstatic` at deploy).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [*MIDDLEWARE[: _security + 1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security + 1 :]]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
