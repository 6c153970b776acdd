import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.delenv("TI_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="TI_MISSING is required"):
        env_str("TI_MISSING")
    monkeypatch.setenv("TI_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("TI_BOOL")
    monkeypatch.setenv("TI_INT", "douze")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("TI_INT")
    monkeypatch.setenv("TI_LIST", "a.fr, b.fr,")
    assert env_list("TI_LIST") == ["a.fr", "b.fr"]
    monkeypatch.setenv("TI_BOOL", "yes")
    assert env_bool("TI_BOOL") is True


def test_locale_timezone_and_atomic_requests():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE


def _run_prod(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "ALLOWED_HOSTS", "SMTP_HOST", "DJANGO_SETTINGS_MODULE")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_prod_settings_pass_check_deploy():
    result = _run_prod(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={
            "SECRET_KEY": "k" * 20 + "9Xq!zP0@rT#vW2$yL5%nB8^mC1&dF4*gH7(jK3)",
            "ALLOWED_HOSTS": "territoires-integration.example.gouv.fr",
            "SMTP_HOST": "smtp.example.gouv.fr",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_prod_settings_refuse_to_start_without_secret_key():
    result = _run_prod("check", extra_env={"ALLOWED_HOSTS": "x.gouv.fr", "SMTP_HOST": "smtp.x.gouv.fr"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
