"""Reading the e-mails a test sent: one e-mail per person (addresses are never shown to each other)."""

from __future__ import annotations

import re
from typing import Any

LINK = re.compile(r"https?://\S+")


def recipients(outbox: list[Any]) -> set[str]:
    """Everyone an e-mail went to; fails if one e-mail went to several people at once."""
    assert all(len(mail.to) == 1 for mail in outbox), [mail.to for mail in outbox]
    return {mail.to[0] for mail in outbox}


def links(mail: Any) -> list[str]:
    return LINK.findall(mail.body)
