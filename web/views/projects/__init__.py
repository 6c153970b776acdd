"""The PTAI pages: list and exports (lists), file page and actions (detail), the request (request)."""

from web.views.projects.detail import (
    document_download,
    project_detail,
    project_documents,
    project_message,
    project_transition,
)
from web.views.projects.lists import project_csv, project_list, project_xlsx
from web.views.projects.request import project_create, project_step

__all__ = [
    "document_download",
    "project_create",
    "project_csv",
    "project_detail",
    "project_documents",
    "project_list",
    "project_message",
    "project_step",
    "project_transition",
    "project_xlsx",
]
