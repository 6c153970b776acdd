"""Every API error as one JSON shape, in French:

    {"detail": "…", "code": "…", "errors": {"field": ["…"]}, "rule_ids": ["…"]}

- `detail`: one sentence for a person; `code`: a stable machine code (DRF's codes, the Django
  `ValidationError` code, `not_found`, `transition_unavailable`…);
- `errors`: the messages by field (`non_field_errors` for the whole object; nested fields are
  dotted: `budget.0.amount`); empty when the error is not about the input;
- `rule_ids`: the ids of the programme rules (`programme.rules`) that refused the operation.

How a domain error reaches it: a service raises a Django `ValidationError` (a `FinanceError`…)
→ 400 with its French messages and code; `PermissionDenied` → 403; `Http404` (an object outside
the caller's scope) → 404 "Introuvable.". A refusal by the programme rules is a `ValidationError`
that also carries either
- `rule_ids`: a list of rule ids (`projects.errors.TransitionError` does), or
- `findings`: objects with `rule_id`, `message`, `field` and `is_blocking`, like
  `programme.rules.Finding`: the blocking ones' ids go to `rule_ids`, their messages to `errors`
  under their field.
A `ValidationError` built from a list of messages keeps the `code` given to it (Django keeps it
only on single messages).

As DRF's own handler does, a handled error rolls the request's transaction back (ATOMIC_REQUESTS):
nothing is half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from jobs.middleware import too_large_detail

logger = logging.getLogger("django.request")

NOT_FOUND = "Introuvable."
INVALID = "Les données envoyées ne sont pas valides : voir le détail par champ."
SERVER_ERROR = "Erreur interne du serveur. L'équipe technique est prévenue ; réessayez plus tard."


class Conflict(exceptions.APIException):
    """The operation does not fit the object's current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cette opération n'est pas possible dans l'état actuel de l'objet."
    default_code = "conflict"


def _non_field_key() -> str:
    return str(api_settings.NON_FIELD_ERRORS_KEY)


def _flatten(detail: Any, path: str, out: dict[str, list[str]], codes: list[str]) -> None:
    """DRF's nested error detail as {"dotted.path": [messages]}; codes collected in order."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = _non_field_key() if key == NON_FIELD_ERRORS else str(key)
            _flatten(value, f"{path}.{name}" if path else name, out, codes)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            _flatten(item, (f"{path}.{index}" if path else str(index)) if nested else path, out, codes)
    else:
        out.setdefault(path or _non_field_key(), []).append(str(detail))
        codes.append(str(getattr(detail, "code", "invalid") or "invalid"))


def _from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Keep the messages (French, interpolated) and their codes."""
    default = str(getattr(exc, "code", None) or "invalid")
    detail: dict[str, list[exceptions.ErrorDetail]] | list[exceptions.ErrorDetail]
    if hasattr(exc, "error_dict"):
        detail = {
            field: [
                exceptions.ErrorDetail(message, code=error.code or default)
                for error in errors
                for message in error.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = [
            exceptions.ErrorDetail(message, code=error.code or default)
            for error in exc.error_list
            for message in error.messages
        ]
    return exceptions.ValidationError(detail)


def _convert(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return _from_django_validation_error(exc)
    if isinstance(exc, Http404):
        return exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*[str(arg) for arg in exc.args[:1]])
    return exc


def _add_findings(findings: Iterable[Any], errors: dict[str, list[str]]) -> list[str]:
    """The blocking findings' rule ids; their messages under their field, once (a message the
    exception also gave for the whole object moves to the finding's field)."""
    rule_ids: list[str] = []
    general = errors.get(_non_field_key(), [])
    for finding in findings:
        if not getattr(finding, "is_blocking", True):
            continue
        if finding.rule_id not in rule_ids:
            rule_ids.append(finding.rule_id)
        field = finding.field or _non_field_key()
        messages = errors.setdefault(field, [])
        if finding.message not in messages:
            messages.append(finding.message)
        if field != _non_field_key() and finding.message in general:
            general.remove(finding.message)
    if not general:
        errors.pop(_non_field_key(), None)
    return rule_ids


def error_body(exc: exceptions.APIException, findings: Iterable[Any] = ()) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    if isinstance(exc, exceptions.ValidationError):
        _flatten(exc.detail, "", errors, codes)
        messages = [message for field_messages in errors.values() for message in field_messages]
        rule_ids = _add_findings(findings, errors)
        if len(messages) == 1:
            detail, code = messages[0], codes[0]
        else:
            detail, code = INVALID, "invalid"
        return {"detail": detail, "code": code, "errors": errors, "rule_ids": rule_ids}
    detail_value = exc.detail
    if isinstance(detail_value, dict | list):  # an APIException given a structure: keep it as errors
        _flatten(detail_value, "", errors, codes)
        detail = next(iter(errors.values()))[0] if errors else str(exc.default_detail)
        code = codes[0] if codes else str(exc.default_code)
    else:
        detail, code = str(detail_value), str(getattr(detail_value, "code", None) or exc.default_code)
    return {"detail": detail, "code": code, "errors": errors, "rule_ids": _add_findings(findings, errors)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's handling (status, headers, rollback), our body."""
    if isinstance(exc, RequestDataTooBig):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, read by a parser
        detail = too_large_detail(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        refusal: dict[str, Any] = {"detail": detail, "code": "request_too_large", "errors": {}, "rule_ids": []}
        return Response(refusal, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    findings = list(getattr(exc, "findings", None) or ())
    converted = _convert(exc)
    response = drf_exception_handler(converted, context)
    if response is not None and isinstance(converted, exceptions.APIException):
        body = error_body(converted, findings)
        for rule_id in getattr(exc, "rule_ids", None) or ():
            if str(rule_id) not in body["rule_ids"]:
                body["rule_ids"].append(str(rule_id))
        response.data = body
        return response
    # Anything else is a bug: logged and signalled as Django does for a page (the test client
    # re-raises it), answered in JSON rather than with the HTML error page.
    request = context.get("request")
    logger.error("Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc)
    got_request_exception.send(sender=None, request=getattr(request, "_request", request))
    set_rollback()
    body = {"detail": SERVER_ERROR, "code": "server_error", "errors": {}, "rule_ids": []}
    return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
