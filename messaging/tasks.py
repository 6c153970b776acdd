"""Scheduled jobs of messaging (loaded by `manage.py crontask`, see docs/DEPLOY.md)."""

from __future__ import annotations

from crontask import cron

from messaging.notifications import send_digests

# The daily digest, early in the morning, for those who chose it (idempotent: each notification is
# e-mailed once).
daily_digest = cron("0 7 * * *")(send_digests)

__all__ = ["daily_digest"]
