"""docs/REQUIREMENTS-STATUS.md stays true: every requirement of ../shared/docs/REQUIREMENTS.md has its
row; every test it names by `file::name` exists, and names the requirement's id in its own name or
docstring (or, for a parametrized case table, in the test module's docstring); a row that says
"done" names at least one test by name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATUS = ROOT / "docs" / "REQUIREMENTS-STATUS.md"
REQUIREMENTS = ROOT.parent / "shared" / "docs" / "REQUIREMENTS.md"


def rows() -> dict[str, str]:
    found = {}
    for line in STATUS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| (F\d\d) \|", line)
        if match:
            found[match.group(1)] = line
    return found


def functions_of(path: Path) -> tuple[str, dict[str, str]]:
    """The module docstring and, for each test function, its name plus docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {
        node.name: f"{node.name} {ast.get_docstring(node) or ''}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
    }
    return ast.get_docstring(tree) or "", functions


def names_the_id(requirement: str, text: str) -> bool:
    number = requirement[1:]
    return bool(re.search(rf"(?i)(?<![0-9a-z])f{number}(?![0-9])|_f{number}_|f\d\d_f{number}|f{number}-", text)) or (
        re.search(rf"F{number}(?![0-9])", text) is not None
    )


@pytest.mark.skipif(not REQUIREMENTS.exists(), reason="the shared requirements are beside the project")
def test_every_requirement_has_its_row() -> None:
    ids = re.findall(r"^- (F\d\d)", REQUIREMENTS.read_text(encoding="utf-8"), re.M)
    assert sorted(rows()) == sorted(ids)


@pytest.mark.parametrize("requirement", sorted(rows()))
def test_each_named_test_exists_and_names_its_requirement(requirement: str) -> None:
    line = rows()[requirement]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", line)
    if " done" in line.split("|")[3] or line.split("|")[3].strip().startswith("done"):
        assert named, f"{requirement} says done without naming a test: {line}"
    for file, name in named:
        path = ROOT / file
        assert path.exists(), f"{requirement}: {file} does not exist"
        module_doc, functions = functions_of(path)
        assert name in functions, f"{requirement}: {file}::{name} does not exist"
        assert names_the_id(requirement, functions[name]) or names_the_id(requirement, module_doc), (
            f"{requirement}: {file}::{name} does not name {requirement} (in its name, its docstring or its module's)"
        )
