"""Typed readers for environment variables that fail loudly.

A missing required variable or a value that does not parse raises ImproperlyConfigured
at start-up, naming the variable, instead of running with a silent default.
"""

import os
from typing import Final

from django.core.exceptions import ImproperlyConfigured


class _Missing:
    pass


MISSING: Final = _Missing()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | _Missing = MISSING) -> str:
    value = os.environ.get(name)
    if value is None:
        if isinstance(default, _Missing):
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool | _Missing = MISSING) -> bool:
    value = os.environ.get(name)
    if value is None:
        if isinstance(default, _Missing):
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a boolean.")


def env_int(name: str, default: int | _Missing = MISSING) -> int:
    value = os.environ.get(name)
    if value is None:
        if isinstance(default, _Missing):
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not an integer.") from exc


def env_list(name: str, default: list[str] | _Missing = MISSING) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        if isinstance(default, _Missing):
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
