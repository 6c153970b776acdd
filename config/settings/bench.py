"""The benchmark (`make bench`): production settings on loopback, plus the naked floors (bench.urls).

Production as deployed (DEBUG off, WhiteNoise, the manifest of collected static files), without
HTTPS redirects since the benchmark talks plain HTTP to gunicorn on 127.0.0.1.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SMTP_HOST", "127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Tasks (e-mails, letters) are never run by a GET; no mail leaves the benchmark.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
