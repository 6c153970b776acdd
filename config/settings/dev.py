"""Local development and the one-command demo (SQLite by default)."""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
DS_TOKEN_KEY = env_str("DS_TOKEN_KEY", "dev-only-ds-token-key")
