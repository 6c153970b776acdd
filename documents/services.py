"""Attach an uploaded file, or a generated PDF, to any object. Each write leaves an audit Event."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.text import slugify

from accounts.models import User
from audit.services import record_event
from documents.models import Document
from documents.pdf import render_pdf
from documents.uploads import PDF, InspectedFile, clean_name, inspect_upload


def _check_kind(kind: str) -> str:
    if not kind or slugify(kind) != kind:
        raise ValueError(f"A document kind is a slug, not {kind!r}.")
    return kind


def _store(
    *,
    actor: User | None,
    target: models.Model,
    content: File[bytes],
    inspected: InspectedFile,
    kind: str,
    is_internal: bool,
    verb: str,
) -> Document:
    """Write the file, then the row and its Event; the file is removed again if the row fails."""
    if target.pk is None:
        raise ValueError("Save the target before attaching a document to it.")
    document = Document(
        target=target,
        kind=_check_kind(kind),
        original_name=inspected.original_name,
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        is_internal=is_internal,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    document.file.save(inspected.original_name, content, save=False)
    try:
        with transaction.atomic():
            document.save()
            record_event(
                actor=actor,
                verb=verb,
                target=target,
                details={
                    "document": document.pk,
                    "nom": document.original_name,
                    "nature": kind,
                    "taille": document.size,
                    "interne": is_internal,
                },
            )
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def attach(
    *,
    actor: User | None,
    target: models.Model,
    uploaded_file: File[bytes],
    kind: str,
    is_internal: bool = False,
    inspected: InspectedFile | None = None,
) -> Document:
    """Check the file (size, type read from its content) and attach it to `target`.

    Raises django.core.exceptions.ValidationError with a French message; nothing is stored then.
    Who may attach to `target` is the caller's decision (fetch the target through its scoped
    queryset first). `inspected` lets a caller that already checked several files skip a second read.
    """
    inspected = inspected or inspect_upload(uploaded_file)
    return _store(
        actor=actor,
        target=target,
        content=uploaded_file,
        inspected=inspected,
        kind=kind,
        is_internal=is_internal,
        verb="documents.attached",
    )


def generate(
    *,
    actor: User | None,
    target: models.Model,
    template_name: str,
    context: Mapping[str, Any],
    kind: str,
    filename: str,
    is_internal: bool = False,
) -> Document:
    """Render `template_name` (documents/pdf/…) to PDF and keep it as a Document of `target`.

    The PDF is rendered before any write (it takes a fraction of a second, no I/O).
    """
    pdf = render_pdf(template_name, context)
    name = clean_name(filename if filename.lower().endswith(".pdf") else f"{filename}.pdf")
    inspected = InspectedFile(
        content_type=PDF, size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), original_name=name
    )
    return _store(
        actor=actor,
        target=target,
        content=ContentFile(pdf, name=name),
        inspected=inspected,
        kind=kind,
        is_internal=is_internal,
        verb="documents.generated",
    )
