"""Issue 15, « fuzzing of every form »: every form the web pages show, filled by hypothesis with
generated values (empty, long, odd Unicode, NUL characters, formulas, numbers out of range, random
files), never gets a server error, and a refused submission (the form shown again, or a 4xx) writes
nothing: every model's row count is the same before and after.

The forms are found by walking the pages of the permission matrix (`tests/demo/permission_matrix.py`):
each page is opened as the first role that may see it on its own scope, and each `<form method="post">`
of the page is parsed (its fields, their kinds, the options of its lists). Every submission is rolled
back. `make test` tries a few examples per form; `make fuzz` (marker `fuzz`) tries many more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.demo import permission_matrix as matrix
from tests.demo.seeding import every_count

pytestmark = pytest.mark.django_db

# Roles tried in this order: the first that sees a page (200) fills its forms.
FILLERS = ("agent", "operator", "instructor", "prefect", "diair", "ministry", "admin", "anonymous")
# Forms whose submission leaves the session (they would log the filler out), and the log-in forms,
# which are fuzzed as the anonymous visitor on their own pages.
SKIPPED_ACTIONS = ("/deconnexion/",)


@dataclass
class Form:
    page: str
    action: str
    role: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> kind (text, number, date, file, hidden…)
    options: dict[str, list[str]] = field(default_factory=dict)  # name -> the values of a list or radio
    values: dict[str, str] = field(default_factory=dict)  # the value the page filled in


class _Forms(HTMLParser):
    def __init__(self, page: str, role: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.role = page, role
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.current = Form(self.page, a.get("action") or self.page, self.role)
            self.forms.append(self.current)
        if self.current is None or (not a.get("name") and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input" and a.get("type") not in ("submit", "button", "reset"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.current.options.setdefault(name, []).append(a.get("value", "on"))
            self.current.fields.setdefault(name, kind)
            self.current.values.setdefault(name, a.get("value", ""))
        elif tag == "textarea":
            self.current.fields[name] = "text"
        elif tag == "select":
            self.current.fields[name] = "select"
            self.current.options.setdefault(name, [])
            self.select = name
        elif tag == "option" and self.select:
            self.current.options[self.select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        if tag == "select":
            self.select = None


ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        '=HYPERLINK("http://exemple.invalid")',
        "<script>alert(1)</script>",
        "'; DROP TABLE accounts_user; --",
        "9" * 40,
        "-1",
        "0",
        "1e308",
        "NaN",
        "31/02/2026",
        "2026-13-45",
        "é" * 5000,
        "\u202e\ufeff\U0001f600",
        "../../etc/passwd",
    ]
)


def value_for(form: Form, name: str) -> st.SearchStrategy[Any]:
    kind = form.fields[name]
    if kind == "file":
        return st.binary(max_size=2048).map(lambda content: SimpleUploadedFile("piece.pdf", content))
    choices = form.options.get(name)
    every = [ODD, st.text(max_size=200), st.integers(min_value=-(10**20), max_value=10**20).map(str)]
    if choices:
        every.append(st.sampled_from(choices))
    if kind == "hidden":
        every.append(st.just(form.values.get(name, "")))
    return st.one_of(*every)


def forms_of_every_page(clients: dict[str, Client]) -> list[Form]:
    finders = matrix._finders()
    found: dict[tuple[str, str], Form] = {}
    for name, row in matrix.WEB.items():
        if name.startswith("admin:"):
            continue
        codes = row[1].split()
        role = next((r for r in FILLERS if codes[matrix.ROLES.index(r)].split("/")[0] == "200"), None)
        if role is None:
            continue
        kwargs = finders[row[0]][1](True) if row[0] else {}
        page = reverse(name, kwargs=kwargs)
        with matrix.rolled_back(clients[role]):
            response = clients[role].get(page)
        matrix.close(response)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Forms(page, role)
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form.fields and form.action not in SKIPPED_ACTIONS:
                found.setdefault((form.action, role), form)
    return list(found.values())


def fuzz(clients: dict[str, Client], form: Form, examples: int) -> None:
    client = clients[form.role]
    names = sorted(form.fields)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=examples <= 10,  # make test: the same examples every run
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({name: value_for(form, name) for name in names}))
    def submit(data: dict[str, Any]) -> None:
        with matrix.rolled_back(client):
            before = every_count()
            response = client.post(form.action, data)
            refused = response.status_code == 200 or 400 <= response.status_code < 500
            after = every_count() if refused else before
        matrix.close(response)
        assert response.status_code < 500, f"{form.action} as {form.role}: {response.status_code} for {data!r}"
        changed = {model: (before[model], after[model]) for model in before if before[model] != after[model]}
        assert not changed, f"{form.action} as {form.role} refused {data!r} but wrote {changed}"

    submit()


def _fuzz_every_form(db_access: dict[str, Any], examples: int) -> None:
    clients = matrix.role_clients()
    forms = forms_of_every_page(clients)
    assert len(forms) >= 20, [form.action for form in forms]  # the walk finds the site's forms
    for form in forms:
        fuzz(clients, form, examples)


def test_every_form_refuses_generated_input_without_error_nor_writing(db_access: dict[str, Any]) -> None:
    _fuzz_every_form(db_access, examples=int(os.environ.get("FORM_FUZZ_EXAMPLES", "3")))


@pytest.mark.fuzz
def test_every_form_long_run(db_access: dict[str, Any]) -> None:
    """`make fuzz`: many more examples per form (FORM_FUZZ_LONG_EXAMPLES, 200 by default)."""
    _fuzz_every_form(db_access, examples=int(os.environ.get("FORM_FUZZ_LONG_EXAMPLES", "200")))
