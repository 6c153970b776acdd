"""Local development (`make serve`): DEBUG on, tasks run at once in the web process (no worker needed)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS
from config.settings.env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
# Developer mode: letters and e-mails are produced in the process that commits the transition.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DS_TOKEN_KEY = env_str("DS_TOKEN_KEY", "dev-only-ds-token-key")
