"""Generated letters are tasks (issue 11): after the préfet's decision the file's page says
« Document en cours de génération » and polls its documents (htmx, or a reload) until the letter
exists; a failure of the PDF engine never fails the transition, the letter waits for a retry."""

from __future__ import annotations

from typing import Any

import pytest
from django.tasks.signals import task_finished
from django.urls import reverse

from documents.models import Document
from projects.enums import ProjectState
from projects.models import ProjectTransition
from projects.tasks import after_transition
from tests.projects.factories import ProjectFactory
from tests.web.html import parse, text_of
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db
PENDING = "Document en cours de génération"
REASON = "Le public visé est déjà accompagné."


def refuse(prefect: PersonaClient) -> Any:
    project = ProjectFactory(reviewed=True)
    url = reverse("web:project_transition", args=[project.pk, "prefect_refuse"])
    response = prefect.post(url, {"etat": "reviewed", "reason": REASON})
    assert response.status_code == 302
    return project


def test_the_page_says_the_letter_is_being_generated_and_polls_until_it_exists(
    prefect_isere: PersonaClient, agent_grenoble: PersonaClient
) -> None:
    project = refuse(prefect_isere)  # its task waits (not run: the transaction is not committed)
    page = agent_grenoble.get(reverse("web:project_detail", args=[project.pk])).text
    assert PENDING in text_of(page)
    section = parse(page).by_id("documents")
    assert section is not None
    fragment_url = reverse("web:project_documents", args=[project.pk])
    assert section.attrs["hx-get"] == fragment_url and "every" in section.attrs["hx-trigger"]
    reload = reverse("web:project_detail", args=[project.pk]) + "#documents"
    assert any(node.attrs.get("href") == reload for node in section.iter())  # without JS: reload
    assert PENDING in text_of(agent_grenoble.get(fragment_url).text)

    after_transition.call(ProjectTransition.objects.get(project=project, transition="prefect_refuse").pk)
    fragment = agent_grenoble.get(fragment_url).text
    assert PENDING not in text_of(fragment)
    assert "hx-get" not in fragment  # the polling stops
    letter = Document.objects.for_target(project).get(kind="lettre-refus")
    assert letter.original_name in text_of(fragment)


def test_the_documents_fragment_is_scoped_like_the_file(
    prefect_isere: PersonaClient, agent_lyon: PersonaClient, instructor_rhone: PersonaClient
) -> None:
    project = refuse(prefect_isere)
    for outsider in (agent_lyon, instructor_rhone):
        assert outsider.get(reverse("web:project_documents", args=[project.pk])).status_code == 404


@pytest.mark.task_failure_expected
def test_when_the_pdf_engine_fails_the_refusal_stands_and_the_letter_waits(
    prefect_isere: PersonaClient,
    agent_grenoble: PersonaClient,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken_engine(html: str, **kwargs: Any) -> bytes:
        raise OSError("WeasyPrint: cannot load the fonts")

    monkeypatch.setattr("documents.weasy.write_pdf", broken_engine)
    failures: list[str] = []

    def record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        failures.extend(error.exception_class_path for error in task_result.errors)

    task_finished.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            project = refuse(prefect_isere)
    finally:
        task_finished.disconnect(record)
    assert failures == ["builtins.OSError"]  # the task failed (recover_tasks retries it)…
    project.refresh_from_db()
    assert project.state == ProjectState.PREFECT_REFUSED  # …the transition stands
    assert not Document.objects.for_target(project).exists()
    page = text_of(agent_grenoble.get(reverse("web:project_detail", args=[project.pk])).text)
    assert REASON in page and PENDING in page
