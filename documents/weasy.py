"""The WeasyPrint side of documents.pdf, imported only when a PDF is rendered (WeasyPrint is slow to import)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

# WeasyPrint announces every rendering step at INFO: keep its warnings and errors only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402


class LocalOnlyURLFetcher(URLFetcher):
    """Serves `data:` URLs and files under `assets_dir`; refuses everything else.

    A refused URL is logged by WeasyPrint (logger "weasyprint", level ERROR) and left out of the
    document: rendering never opens a network connection.
    """

    def __init__(self, assets_dir: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
        self.assets_dir = assets_dir.resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("file:"):
            response = super().fetch(url, headers)
            path = Path(response.path or "").resolve()
            if not path.is_relative_to(self.assets_dir):
                response.close()
                raise ValueError(f"Only files of {self.assets_dir} may be read while rendering a PDF: {url}")
            return response
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"No network access while rendering a PDF: {url}")


def write_pdf(html: str, *, assets_dir: Path) -> bytes:
    document = HTML(string=html, base_url=f"{assets_dir.as_uri()}/", url_fetcher=LocalOnlyURLFetcher(assets_dir))
    pdf: bytes = document.write_pdf()
    return pdf
