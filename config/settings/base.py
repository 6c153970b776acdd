"""Settings shared by every environment. Values that vary come from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

from config.settings.env import env_bool, env_int, env_str
from config.settings.storage import default_storage_from_env

# Lets generic Django classes be subscripted at run time (ModelAdmin[Model]) for type checking.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-secret-key-not-for-production-use-0123456789abcdef")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "widget_tweaks",
    "dsfr",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "crontask",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    # Domain apps (ground floor first, see docs/ARCHITECTURE.md).
    "core",
    "jobs",
    "referential",
    "accounts",
    "audit",
    "identity",
    "programme",
    "finance",
    "documents",
    "messaging",
    "reporting",
    "projects",
    "contracts",
    "imports",
    # The public side: open data, catalogue, local contacts (reads the domain, public fields only).
    "public",
    "steering",
    # Doors.
    "web",
    "api",
]
# The demo app (`seed_demo`) is added by the dev, demo and test settings only, never in production.

MIDDLEWARE = [
    "jobs.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "identity.sessions.SessionRulesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "jobs.middleware.BodySizeLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

# Forms render with django-dsfr's own engine, with web/overrides/ first (web/forms/renderer.py).
FORM_RENDERER = "web.forms.renderer.SiteFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A dropped connection kept by CONN_MAX_AGE is noticed before a request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite: WAL (readers never wait for the writer), writers wait up to 20 s for the lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast: no statement runs longer, no lock is waited for longer (milliseconds; 0 = no limit).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30_000)}"
        f" -c lock_timeout={env_int('DB_LOCK_TIMEOUT_MS', 10_000)}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes comes first: it refuses log-ins while an e-mail + IP address pair is locked out.
# ProConnect (OpenID Connect) beside the password (identity.proconnect).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "identity.proconnect.ProConnectBackend",
]
# Login throttling: 5 failures for one e-mail from one IP address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Our AuthenticationForm posts the e-mail as "username" (Django's convention), not as USERNAME_FIELD.
AXES_USERNAME_FORM_FIELD = "username"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # Django's 20 000 common passwords plus a French list, also when followed by digits (identity.passwords).
    {"NAME": "identity.passwords.FrenchCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A reset link by e-mail is valid for one hour.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)

# Second factor (identity.second_factor): TOTP for State roles and administrators logging in with a
# password. Always on in production (prod.py); the test settings turn it off for the tests that log
# in with force_login, and the log-in tests turn it back on.
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Territoires d'intégration"
# Session rules of State roles (identity.sessions): end at browser close, at most 8 hours after the
# log-in; confirm one's identity again before a sensitive page when the log-in is older than 15 min.
STATE_SESSION_MAX_AGE = env_int("STATE_SESSION_MAX_AGE", 8 * 3600)
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 15 * 60)
REAUTH_URL_NAMES = frozenset(
    {
        # Managing users and the préfet's signing delegations.
        "web:user_set_active",
        "web:membership_remove",
        "web:invitation_create",
        "web:invitation_revoke",
        "web:account_request_decide",
        "web:signing_delegations",
        # Creating an API token (as powerful as the log-in).
        "web:api_token_create",
        # Opening, delegating, reversing credits.
        "web:open_credits",
        "web:envelope_delegate",
        "web:entry_reverse",
        # Decisions of a workflow: validating, delegating, committing, paying.
        "web:project_transition",
        "web:contract_transition",
        "web:programming_transition",
        "web:contract_amendment_transition",
    }
)

# ProConnect (OpenID Connect, identity.proconnect): off while OIDC_RP_CLIENT_ID is empty.
OIDC_RP_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET", "")
_PROCONNECT = env_str("PROCONNECT_ISSUER", "https://auth.agentconnect.gouv.fr/api/v2")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("PROCONNECT_AUTHORIZATION_ENDPOINT", f"{_PROCONNECT}/authorize")
OIDC_OP_TOKEN_ENDPOINT = env_str("PROCONNECT_TOKEN_ENDPOINT", f"{_PROCONNECT}/token")
OIDC_OP_USER_ENDPOINT = env_str("PROCONNECT_USERINFO_ENDPOINT", f"{_PROCONNECT}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env_str("PROCONNECT_JWKS_ENDPOINT", f"{_PROCONNECT}/jwks")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email given_name usual_name siret"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/connexion/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Documents go through Django's storage API: a local folder (MEDIA_ROOT, outside the code) by
# default, an S3-compatible bucket when STORAGE_BACKEND=s3 (django-storages). Downloads always go
# through the scope-checking views, which stream the file (no public URL of the bucket is shown).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
DEFAULT_STORAGE = default_storage_from_env()
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Bounded requests: a body over REQUEST_MAX_BYTES is refused with a French 413 before it is read
# (jobs.middleware); form fields and JSON bodies are also bounded by Django's own limits.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 12 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# The longest free text a form or the API accepts where the field sets no limit of its own.
TEXT_MAX_LENGTH = env_int("TEXT_MAX_LENGTH", 20_000)
# Exports of more rows than this run as a task (web.exports.exported); their file is kept this long.
EXPORT_TASK_THRESHOLD = env_int("EXPORT_TASK_THRESHOLD", 5000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)

# send_mail() writes to the outbox (jobs.mail); a task delivers through the "delivery" mailer:
# printed on the console unless a deployment configures SMTP (see prod.py).
MAILERS = {
    "default": {"BACKEND": "jobs.mail.OutboxEmailBackend"},
    "delivery": {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
}
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 10)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Territoires d'intégration <ne-pas-repondre@territoires-integration.gouv.fr>"
)
# Work done off the request (generated letters, e-mails, large exports): Django's tasks framework
# with the database backend (django-tasks-db). `manage.py worker` processes (as many as needed,
# on as many machines) share the queue; `manage.py crontask` (one) enqueues the scheduled jobs.
# A failed task is enqueued again with backoff up to TASK_MAX_ATTEMPTS times (jobs.tasks).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
RETRY_BACKOFF_SECONDS = env_int("RETRY_BACKOFF_SECONDS", 60)
# /healthz answers 503 when tasks wait and no worker has written its heartbeat for this long.
WORKER_LOST_AFTER_SECONDS = env_int("WORKER_LOST_AFTER_SECONDS", 60)

# Absolute address used in e-mails (invitation links).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Invitations expire after this many days.
INVITATION_VALIDITY_DAYS = env_int("INVITATION_VALIDITY_DAYS", 7)

# Documents (documents.uploads): largest file accepted, in bytes; a message's longest body.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
MESSAGE_MAX_LENGTH = env_int("MESSAGE_MAX_LENGTH", 5000)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Logs: one JSON line per record on stderr when LOG_FORMAT=json (production), plain text otherwise.
# jobs.middleware logs one line per request (user id, path, status, duration, query count) on
# "jobs.request"; jobs.signals one per task on "jobs.task".
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every log-in check at INFO; keep its warnings (lockouts) only. The tasks
    # framework logs each task's start and end at INFO; jobs.task says the same in one line.
    # django.request would repeat each 4xx that jobs.request already logged.
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# Error reporting to Sentry (or a compatible service) only when a DSN is configured.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )


# django-dsfr: mark optional fields "(Optionnel)" rather than required ones, as the DSFR now
# recommends. The mark itself is written by web.templatetags.ti.optional_mark (the field snippets are
# overridden in web/overrides/): not on list filters, not on a draft's fields needed to submit.
DSFR_MARK_OPTIONAL_FIELDS = True


# The JSON API under /api/v1/ (docs/api.md). Token for programs, session for the docs page;
# JSON only; errors in French with rule ids (api.errors). Anonymous callers are throttled per
# address (REMOTE_ADDR, or the n-th address from the right of X-Forwarded-For behind n proxies).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "api.authentication.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "60/minute"),
        "token": env_str("API_TOKEN_RATE", "600/minute"),
    },
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Territoires d'intégration",
    "DESCRIPTION": "API du programme Territoires d'intégration (PTAI, CTAI). Guide : docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation are public (they describe, they hold no data).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name their workflow field `state`: each choice set gets its own enum name.
    "ENUM_NAME_OVERRIDES": {
        "StateEnum": "projects.enums.ProjectState.choices",
        "ReportStateEnum": "reporting.enums.ReportState.choices",
        "AmendmentStateEnum": "contracts.enums.AmendmentState.choices",
    },
    # Swagger UI from the drf-spectacular-sidecar package (static files): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False, "validatorUrl": None},
}

# Démarches Simplifiées (imports.ds): the GraphQL endpoint, and the key that encrypts the démarches'
# API tokens at rest (any secret text; required to connect a démarche — set it in production).
DS_API_URL = env_str("DS_API_URL", "https://www.demarches-simplifiees.fr/api/v2/graphql")
DS_TOKEN_KEY = env_str("DS_TOKEN_KEY", "")

# RGPD retention durations (docs/RGPD.md), purged every night by jobs.tasks.purge_expired and on
# demand by `manage.py purge_expired --apply`. The money trail (ledger, commitments, transition
# logs, finance.* audit events) is never purged.
RETENTION_CLOSED_FILES_YEARS = env_int("RETENTION_CLOSED_FILES_YEARS", 10)  # attachments of closed PTAI/CTAI
RETENTION_ACCOUNT_DEACTIVATE_DAYS = env_int("RETENTION_ACCOUNT_DEACTIVATE_DAYS", 365)  # no log-in: deactivated
RETENTION_ACCOUNT_ANONYMISE_DAYS = env_int("RETENTION_ACCOUNT_ANONYMISE_DAYS", 3 * 365)  # then anonymised
RETENTION_NOTIFICATIONS_DAYS = env_int("RETENTION_NOTIFICATIONS_DAYS", 365)
RETENTION_EMAILS_DAYS = env_int("RETENTION_EMAILS_DAYS", 90)  # the outbox's sent e-mails
RETENTION_LOGIN_LOGS_DAYS = env_int("RETENTION_LOGIN_LOGS_DAYS", 365)  # django-axes' logs
RETENTION_AUDIT_DAYS = env_int("RETENTION_AUDIT_DAYS", 5 * 365)  # audit events other than money
# Whom to ask about one's personal data (the « Données personnelles » page).
PERSONAL_DATA_CONTACT_EMAIL = env_str("PERSONAL_DATA_CONTACT_EMAIL", "contact-diar@interieur.gouv.fr")

# Above this many rows, the whole national PTAI list and ledger show PostgreSQL's estimate of their
# count (« environ … », web/paging.py) instead of counting every row on each page view.
COUNT_ESTIMATE_ABOVE = env_int("COUNT_ESTIMATE_ABOVE", 20_000)
