"""Every audit verb the code writes has its French label: a timeline never shows a raw code."""

from __future__ import annotations

import re
from pathlib import Path

from audit.verbs import VERB_LABELS
from contracts.enums import AmendmentTransitionName, ApplicationStatus, ProgrammingTransitionName, TransitionName
from projects.enums import TransitionName as ProjectTransitionName
from reporting.enums import ReportTransitionName

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "audit",
    "contracts",
    "documents",
    "finance",
    "identity",
    "jobs",
    "messaging",
    "programme",
    "projects",
    "referential",
    "reporting",
    "steering",
)
LITERAL = re.compile(r"verb=\"([a-z_]+\.[a-z_]+)\"")

# The verbs built from a workflow's transition names (f-strings in the services).
BUILT = (
    [f"projects.{name}" for name in ProjectTransitionName.values]
    + [f"contracts.{name}" for name in TransitionName.values]
    + [f"contracts.programming_{name}" for name in ProgrammingTransitionName.values]
    + [f"contracts.amendment_{name}" for name in AmendmentTransitionName.values]
    + [f"reporting.{name}" for name in ReportTransitionName.values]
    + [f"contracts.call_application_{s}" for s in (ApplicationStatus.SELECTED, ApplicationStatus.REJECTED)]
)


def written_verbs() -> set[str]:
    verbs = set(BUILT)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                verbs |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return verbs


def test_every_written_verb_has_a_french_label():
    assert sorted(written_verbs() - set(VERB_LABELS)) == []
