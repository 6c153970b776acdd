"""Small real files of each accepted type, and a few impostors, for the upload tests."""

from __future__ import annotations

import io
import zipfile

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 145)).save(buffer, fmt)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Nature", "Montant"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(
                name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def content_types(main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    ).encode()


def docx_bytes() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return zip_bytes({"[Content_Types].xml": content_types(main), "word/document.xml": b"<w:document/>"})


def docm_bytes() -> bytes:
    main = "application/vnd.ms-word.document.macroEnabled.main+xml"
    return zip_bytes(
        {"[Content_Types].xml": content_types(main), "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"x"}
    )


def odf_bytes(mimetype: str) -> bytes:
    return zip_bytes({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"})


def exe_bytes() -> bytes:
    """The start of a Windows executable (MZ header, DOS stub)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"This program cannot be run in DOS mode."
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """The browser's content type is deliberately wrong or generic: it must not matter."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(top: str = "documents") -> set[str]:
    """Every file under `top` in the default storage (InMemoryStorage in tests)."""
    found: set[str] = set()
    try:
        directories, files = default_storage.listdir(top)
    except FileNotFoundError:
        return found
    found.update(f"{top}/{name}" for name in files)
    for directory in directories:
        found |= stored_files(f"{top}/{directory}")
    return found
