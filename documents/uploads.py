"""What an uploaded file really is, read from its content (never from its name or the browser's word).

Accepted: PDF, PNG, JPEG, ODF text and spreadsheet (ODT, ODS), OOXML text and spreadsheet (DOCX,
XLSX, without macros), plain text and CSV. Everything else is refused with a French message.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

REFUSED_TYPE_MESSAGE = (
    "Ce type de fichier n'est pas accepté : PDF, images (PNG, JPEG), documents bureautiques "
    "(ODT, ODS, DOCX, XLSX), texte ou CSV."
)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
CSV = "text/csv"

# The extensions a stored file may keep for each detected type; the first is given when the name's
# own extension does not match (a text named `page.html` is kept as `page.html.txt`, so that no
# browser or desktop ever opens it as a page).
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    ODT: (".odt",),
    ODS: (".ods",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    TEXT: (".txt",),
    CSV: (".csv",),
}

_ODF_MIMETYPES = {ODT: ODT, ODS: ODS}
_OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Bytes that never occur in a text file (tab, line feed, form feed and carriage return are allowed).
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class InspectedFile:
    content_type: str
    size: int
    sha256: str
    original_name: str


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


def clean_name(name: str | None) -> str:
    """The last component of the browser's file name, without control characters, at most 255 long."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base or base in {".", ".."}:
        return "document"
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) < 20 else base[:255]
    return base


def name_for_type(name: str, content_type: str) -> str:
    """`name` with an extension that matches the detected `content_type` (appended when it does not)."""
    allowed = EXTENSIONS[content_type]
    if name.lower().endswith(allowed):
        return name
    return clean_name(name + allowed[0])


def _office_type(stream: IO[bytes]) -> str | None:
    """ODT/ODS by the zip's `mimetype` member, DOCX/XLSX by `[Content_Types].xml`; None otherwise."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None  # macros
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 200:
                    return None
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return _ODF_MIMETYPES.get(declared)
            if "[Content_Types].xml" in names:
                if archive.getinfo("[Content_Types].xml").file_size > 1024 * 1024:
                    return None
                types = archive.read("[Content_Types].xml")
                for marker, content_type in _OOXML_MAIN_PARTS.items():
                    if marker in types:
                        return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError):
        return None
    return None


def _looks_like_text(head: bytes) -> bool:
    """Text, but not markup: HTML, SVG or XML files would be opened by a browser as pages."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return not start.startswith(b"<")


def inspect_upload(uploaded_file: File[bytes], *, limit: int | None = None) -> InspectedFile:
    """Read the whole file once: size, SHA-256 and the type its content proves. Raises ValidationError."""
    limit = max_bytes() if limit is None else limit
    name = clean_name(uploaded_file.name)
    too_big = ValidationError(
        f"Le fichier « {name} » dépasse la taille maximale autorisée ({_megabytes(limit)} Mo).", code="file_too_big"
    )
    declared_size = getattr(uploaded_file, "size", None)
    if declared_size is not None and declared_size > limit:
        raise too_big

    digest = hashlib.sha256()
    size = 0
    head = b""
    is_text = True
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(_CHUNK):
        if len(head) < 16:
            head = (head + chunk)[:4096]
        size += len(chunk)
        if size > limit:
            raise too_big
        digest.update(chunk)
        if is_text and chunk.translate(None, _CONTROL_BYTES) != chunk:
            is_text = False
    if size == 0:
        raise ValidationError(f"Le fichier « {name} » est vide.", code="file_empty")

    content_type: str | None = None
    if head.startswith(b"%PDF-"):
        content_type = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = JPEG
    elif head.startswith(b"PK\x03\x04"):
        uploaded_file.seek(0)
        content_type = _office_type(uploaded_file)
    elif is_text and _looks_like_text(head):
        content_type = CSV if name.lower().endswith(".csv") else TEXT
    uploaded_file.seek(0)
    if content_type is None:
        raise ValidationError(REFUSED_TYPE_MESSAGE, code="file_type")
    return InspectedFile(
        content_type=content_type, size=size, sha256=digest.hexdigest(), original_name=name_for_type(name, content_type)
    )
