"""The dates of the demo's stories: each step of a demo file happens on the day its story says (a
2021 file was submitted in 2021), so the timeline, « depuis N jours », the letters and the ledger tell
the truth. The seeding travels in time with `time-machine` (the clock of every `now()`)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

PARIS = ZoneInfo("Europe/Paris")
# The real day, read once before any travel (the stories never go beyond it).
REAL_NOW = datetime.now(PARIS)


class StoryClock:
    """A file's clock: created early in its campaign year (files spread over January to March),
    then one step every `every` days, during office hours."""

    def __init__(self, year: int, number: int, *, every: int = 17) -> None:
        self.start = datetime(year, 1 + number % 3, 4 + number % 24, 9, 15 + number % 40, tzinfo=PARIS)
        self.every = every

    def when(self, step: int) -> datetime:
        return self.start + timedelta(days=self.every * step, hours=step % 6)

    def at(self, step: int) -> AbstractContextManager[Any]:
        return time_machine.travel(self.when(step), tick=False)


def moment(day: date, *, hour: int = 10) -> AbstractContextManager[Any]:
    """Travel to `day` at `hour` (Paris), never beyond now: a step of a contract's story."""
    when = min(datetime.combine(day, time(hour), tzinfo=PARIS), REAL_NOW - timedelta(minutes=1))
    return time_machine.travel(when, tick=False)
