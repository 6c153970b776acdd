"""Démarches Simplifiées → PTAI drafts: connect a démarche, map its fields, sync its dossiers.

- `connect_demarche`: an administrator gives the démarche's number and an API token; DS is asked
  for the démarche (which proves both), the token is stored encrypted.
- `set_mapping`: which field of the démarche (champDescriptor id) fills which PTAI field
  (`TARGETS`); the collectivité porteuse is resolved like the spreadsheet import's names
  (`imports.matching`), never guessed.
- `sync_demarche`: polls `dossiers(updatedSince:, after:)` page by page, then
  `deletedDossiers(deletedSince:, after:)` (DS advises polling; its webhooks carry too little). All
  pages are read first, outside any transaction; then one transaction creates or updates the drafts
  through `projects.services` (as the agent who filed the dossier — an agent of the collectivité on
  the platform with the same e-mail; otherwise the dossier waits, with its reason), follows the
  deleted dossiers, and records every sync in the timeline. A second sync with nothing new changes
  nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.enums import Role
from accounts.models import User
from audit.services import record_event
from core.numbers import parse_count
from documents.services import attach
from documents.uploads import max_bytes
from imports.ds import client, documents
from imports.ds.client import DsError, Transport, call, download
from imports.ds.crypto import decrypt, encrypt
from imports.matching import FOUND, Matcher
from imports.models import Demarche, Dossier
from programme.errors import TransitionError
from programme.models import Campaign
from projects.enums import EDITABLE_STATES
from projects.models import Project
from projects.services import create_draft, update_draft
from referential.models import Authority

FILES = "piece_jointe"
TARGETS = {
    "collectivite": "Collectivité porteuse (nom, code INSEE ou SIREN)",
    "title": "Titre du projet",
    "summary": "Résumé",
    "planned_bpi": "Nombre de BPI prévus",
    "planned_newcomers": "Nombre d'autres primo-arrivants prévus",
    "carrier_name": "Porteur de l'action",
    "siret": "SIRET du porteur",
    "start_date": "Début",
    "end_date": "Fin",
    FILES: "Pièces jointes du PTAI (champ « pièce justificative » ; plusieurs champs possibles)",
}
COUNTS = {"planned_bpi", "planned_newcomers"}
DATES = {"start_date", "end_date"}


def may_connect(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.ADMIN)


def _demarche(transport: Transport | None, number: int, token: str) -> dict[str, Any]:
    data = call(transport or client.default_transport(), documents.DEMARCHE_FIELDS, {"number": number}, token)
    demarche: dict[str, Any] | None = data.get("demarche")
    if not demarche:
        raise DsError(f"Démarches Simplifiées ne connaît pas la démarche n° {number} pour ce jeton.")
    return demarche


def connect_demarche(
    *,
    user: Any,
    number: int,
    token: str,
    campaign: Campaign,
    write_back: bool = False,
    instructeur_id: str = "",
    transport: Transport | None = None,
) -> Demarche:
    """Connect (or connect again, with a new token) a démarche. DS is asked for it first: a wrong
    number or token raises `DsError` and nothing is stored. The token is kept encrypted only."""
    if not may_connect(user):
        raise PermissionDenied("Seuls les administrateurs connectent une démarche.")
    if write_back and not instructeur_id.strip():
        raise ValidationError(
            "Pour reporter les décisions sur Démarches Simplifiées, donnez l'identifiant DS de l'instructeur."
        )
    title = str(_demarche(transport, number, token).get("title") or "")
    with transaction.atomic():
        demarche, created = Demarche.objects.update_or_create(
            number=number,
            defaults={
                "title": title,
                "token_encrypted": encrypt(token),
                "campaign": campaign,
                "connected_by": user,
                "write_back": write_back,
                "instructeur_id": instructeur_id.strip(),
            },
        )
        record_event(
            actor=user,
            verb="imports.ds_connected",
            target=demarche,
            details={
                "démarche": number,
                "titre": title,
                "jeton": "remplacé" if not created else "enregistré",
                "report des décisions": "oui" if write_back else "non",
            },
        )
    return demarche


def check_connection(*, demarche: Demarche, transport: Transport | None = None) -> str:
    """Ask DS for the démarche with the stored token; its title, or `DsError`."""
    return str(_demarche(transport, demarche.number, decrypt(demarche.token_encrypted)).get("title") or "")


def demarche_fields(*, demarche: Demarche, transport: Transport | None = None) -> list[dict[str, str]]:
    """The démarche's fields, for the mapping page: id, label, type (the GraphQL type name)."""
    found = _demarche(transport, demarche.number, decrypt(demarche.token_encrypted))
    descriptors = (found.get("activeRevision") or {}).get("champDescriptors") or []
    return [{"id": d["id"], "label": d["label"], "type": d["__typename"]} for d in descriptors]


@transaction.atomic
def set_mapping(*, user: Any, demarche: Demarche, mapping: dict[str, str]) -> Demarche:
    if not may_connect(user):
        raise PermissionDenied("Seuls les administrateurs relient les champs d'une démarche.")
    unknown = sorted(set(mapping.values()) - set(TARGETS))
    if unknown:
        raise ValidationError(f"Champs du PTAI inconnus : {', '.join(unknown)}.")
    targets = [target for target in mapping.values() if target != FILES]
    twice = sorted({TARGETS[target] for target in targets if targets.count(target) > 1})
    if twice:
        raise ValidationError(f"Un seul champ de la démarche par champ du PTAI : {', '.join(twice)}.")
    if "collectivite" not in mapping.values():
        raise ValidationError("Indiquez le champ de la démarche qui donne la collectivité porteuse.")
    demarche.mapping = dict(mapping)
    demarche.save(update_fields=["mapping"])
    record_event(actor=user, verb="imports.ds_mapping_saved", target=demarche, details={"champs": len(mapping)})
    return demarche


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pending: int = 0
    deleted: int = 0

    def details(self) -> dict[str, int]:
        return {
            "créés": self.created,
            "mis à jour": self.updated,
            "inchangés": self.unchanged,
            "en attente": self.pending,
            "supprimés sur DS": self.deleted,
        }


def _pages(transport: Transport, query: str, variables: dict[str, Any], token: str, key: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        data = call(transport, query, {**variables, "after": after}, token)
        connection = data["demarche"][key]
        nodes.extend(connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Downloaded:
    """A file of a dossier read from DS before the transaction: its bytes, or why it could not be."""

    checksum: str
    filename: str
    content: bytes | None
    error: str = ""


def _target(demarche: Demarche, champ: dict[str, Any]) -> str:
    found: str = demarche.mapping.get(champ.get("champDescriptorId", "")) or demarche.mapping.get(champ["id"]) or ""
    return found


def _download_new_files(
    demarche: Demarche, dossiers: list[dict[str, Any]], fetch: Callable[[str, int], bytes]
) -> dict[int, list[Downloaded]]:
    """The files of the champs mapped to the PTAI's attachments that the dossier did not give yet."""
    rows = Dossier.objects.filter(demarche=demarche).values_list("number", "files", "project__state")
    known = {number: {str(f.get("checksum")) for f in files} for number, files, _ in rows}
    # A PTAI already deposited takes nothing more from DS: its files are not downloaded.
    closed = {number for number, _, state in rows if state is not None and state not in EDITABLE_STATES}
    limit = max_bytes()
    found: dict[int, list[Downloaded]] = {}
    for node in dossiers:
        number = int(node["number"])
        if number in closed:
            continue
        for champ in node.get("champs") or []:
            if _target(demarche, champ) != FILES:
                continue
            for meta in champ.get("files") or []:
                checksum, name = str(meta["checksum"]), str(meta["filename"])
                if checksum in known.get(number, set()):
                    continue
                try:
                    if int(meta.get("byteSizeBigInt") or 0) > limit:
                        raise DsError("Le fichier dépasse la taille maximale autorisée : il n'est pas repris.")
                    downloaded = Downloaded(checksum, name, fetch(str(meta["url"]), limit))
                except DsError as error:
                    downloaded = Downloaded(checksum, name, None, str(error))
                found.setdefault(number, []).append(downloaded)
    return found


def sync_demarche(
    *, demarche: Demarche, transport: Transport | None = None, fetch: Callable[[str, int], bytes] = download
) -> SyncResult:
    """Read every page (and download the new files), then write in one transaction. Raises `DsError`
    when DS refuses. A file that could not be downloaded is asked again at the next sync."""
    transport = transport or client.default_transport()
    demarche = Demarche.objects.get(pk=demarche.pk)  # where the last sync stopped, as stored
    token = decrypt(demarche.token_encrypted)
    variables = {"number": demarche.number}
    dossiers = _pages(
        transport, documents.DOSSIERS, {**variables, "updatedSince": _iso(demarche.updated_since)}, token, "dossiers"
    )
    deleted = _pages(
        transport,
        documents.DELETED_DOSSIERS,
        {**variables, "deletedSince": _iso(demarche.deleted_since)},
        token,
        "deletedDossiers",
    )
    downloads = _download_new_files(demarche, dossiers, fetch)
    with transaction.atomic():
        locked = Demarche.objects.select_for_update().get(pk=demarche.pk)
        result = SyncResult()
        matcher: list[Matcher] = []  # loaded on first need
        newest = locked.updated_since
        retry_from: datetime | None = None
        for node in dossiers:
            modified = _when(node["dateDerniereModification"])
            files = downloads.get(int(node["number"]), [])
            _apply_dossier(locked, node, modified, result, matcher, files)
            newest = max(newest, modified) if newest else modified
            if any(f.content is None for f in files):
                retry_from = min(retry_from, modified) if retry_from else modified
        if retry_from is not None and newest is not None:
            newest = min(newest, retry_from)  # `updatedSince` includes it: the dossier comes back
        newest_deletion = locked.deleted_since
        for node in deleted:
            removed = _when(node["dateSupression"])
            _apply_deletion(locked, node, removed, result)
            newest_deletion = max(newest_deletion, removed) if newest_deletion else removed
        locked.updated_since, locked.deleted_since = newest, newest_deletion
        locked.last_synced_at = timezone.now()
        locked.save(update_fields=["updated_since", "deleted_since", "last_synced_at"])
        record_event(actor=None, verb="imports.ds_synced", target=locked, details=result.details())
    return result


def _when(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise DsError(f"Date illisible dans la réponse de Démarches Simplifiées : {value}")
    return parsed


def _values(demarche: Demarche, node: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for champ in node.get("champs") or []:
        target = _target(demarche, champ)
        if target and target != FILES and champ.get("stringValue") is not None:
            values[target] = str(champ["stringValue"]).strip()
    return values


def _fields(values: dict[str, str], number: int) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": values.get("title") or f"Dossier Démarches Simplifiées n° {number}"}
    for name, value in values.items():
        if name in ("collectivite", "title"):
            continue
        if name in COUNTS:
            try:
                fields[name] = parse_count(value)
            except ValidationError:
                continue
        elif name in DATES:
            parsed: date | None = parse_date(value)
            if parsed:
                fields[name] = parsed
        else:
            fields[name] = value
    return fields


def _apply_dossier(
    demarche: Demarche,
    node: dict[str, Any],
    modified: datetime,
    result: SyncResult,
    matcher: list[Matcher],
    files: list[Downloaded],
) -> None:
    number = int(node["number"])
    dossier = Dossier.objects.filter(demarche=demarche, number=number).select_related("project").first()
    if dossier is not None and dossier.modified_at >= modified and (dossier.project_id or dossier.pending_reason):
        result.unchanged += 1
        if dossier.project is not None and dossier.project.is_editable and files:
            _record(
                demarche,
                dossier,
                dossier.project,
                node,
                "fichiers repris",
                _attach_files(dossier, dossier.project, files),
            )
        return
    if dossier is None:
        dossier = Dossier(demarche=demarche, number=number)
    dossier.ds_id, dossier.ds_state, dossier.modified_at = node["id"], node["state"], modified
    values = _values(demarche, node)
    fields = _fields(values, number)
    project = dossier.project
    what, attached = "", {}
    try:
        if project is None:
            lead, agent = _lead_and_agent(values, node, matcher)
            project = create_draft(user=agent, lead=lead, campaign=demarche.campaign, **fields)
            dossier.project, what = project, "brouillon créé"
            result.created += 1
        elif project.is_editable:
            author = User.objects.filter(pk=project.created_by_id).first()
            update_draft(user=author, project=project, **fields)
            what = "brouillon mis à jour"
            result.updated += 1
        else:
            what = "modifié sur DS après le dépôt du PTAI : non repris"
            result.unchanged += 1
        dossier.pending_reason = ""
    except (TransitionError, PermissionDenied, ValidationError) as error:
        dossier.pending_reason = " ".join(getattr(error, "messages", [str(error)]))
        result.pending += 1
    dossier.save()
    if project is not None and project.is_editable and not dossier.pending_reason:
        attached = _attach_files(dossier, project, files)
    if project is not None and what:
        _record(demarche, dossier, project, node, what, attached)


def _attach_files(dossier: Dossier, project: Project, files: list[Downloaded]) -> dict[str, Any]:
    """Attach the downloaded files to the draft through the documents app (its type and size checks),
    as the agent who filed the dossier; each file once (its DS checksum is kept on the dossier)."""
    author = User.objects.filter(pk=project.created_by_id).first()
    kept: list[str] = []
    refused: list[str] = []
    missed: list[str] = []
    for downloaded in files:
        if downloaded.content is None:
            missed.append(f"{downloaded.filename} : {downloaded.error}")
            continue
        entry: dict[str, Any] = {"checksum": downloaded.checksum, "filename": downloaded.filename}
        try:
            with transaction.atomic():
                document = attach(
                    actor=author,
                    target=project,
                    uploaded_file=ContentFile(downloaded.content, name=downloaded.filename),
                    kind="piece-jointe",
                )
        except ValidationError as error:
            entry["refused"] = " ".join(error.messages)
            refused.append(f"{downloaded.filename} : {entry['refused']}")
        else:
            entry["document"] = document.pk
            kept.append(downloaded.filename)
        dossier.files = [*dossier.files, entry]
    if kept or refused:
        dossier.save(update_fields=["files"])
    details: dict[str, Any] = {}
    for key, names in (("fichiers joints", kept), ("fichiers refusés", refused), ("fichiers non téléchargés", missed)):
        if names:
            details[key] = names
    return details


def _record(
    demarche: Demarche, dossier: Dossier, project: Project, node: dict[str, Any], what: str, files: dict[str, Any]
) -> None:
    if not what or (what == "fichiers repris" and not files):
        return
    record_event(
        actor=None,
        verb="imports.ds_dossier_synced",
        target=project,
        details={"démarche": demarche.number, "dossier": dossier.number, "état sur DS": node["state"], "suite": what}
        | files,
    )


def _lead_and_agent(values: dict[str, str], node: dict[str, Any], matcher: list[Matcher]) -> tuple[Authority, User]:
    name = values.get("collectivite", "")
    if not name:
        raise TransitionError("Le dossier ne donne pas la collectivité porteuse.", code="ds_authority")
    if not matcher:
        matcher.append(Matcher())
    resolution = matcher[0].resolve(name)
    if resolution.status != FOUND or resolution.authority is None:
        raise TransitionError(f"Collectivité « {name} » : {resolution.reason}", code="ds_authority")
    lead = Authority.objects.get(pk=resolution.authority.pk)
    email = str((node.get("usager") or {}).get("email") or "")
    agent = (
        User.objects.filter(
            email__iexact=email,
            is_active=True,
            memberships__role=Role.AGENT,
            memberships__authority=lead,
        )
        .distinct()
        .first()
    )
    if agent is None:
        raise TransitionError(
            f"Le déposant ({email or 'adresse inconnue'}) n'est pas agent de {lead.name} sur la plateforme : "
            "invitez-le ; le dossier sera repris à sa prochaine modification sur Démarches Simplifiées.",
            code="ds_agent",
        )
    return lead, agent


def _apply_deletion(demarche: Demarche, node: dict[str, Any], removed: datetime, result: SyncResult) -> None:
    dossier = Dossier.objects.filter(demarche=demarche, number=int(node["number"])).first()
    if dossier is None or dossier.deleted_at is not None:
        return
    dossier.deleted_at, dossier.deleted_reason = removed, str(node.get("reason") or "")
    dossier.save(update_fields=["deleted_at", "deleted_reason"])
    result.deleted += 1
    if dossier.project_id:
        record_event(
            actor=None,
            verb="imports.ds_dossier_deleted",
            target=Project.objects.get(pk=dossier.project_id),
            details={"démarche": demarche.number, "dossier": dossier.number, "motif": dossier.deleted_reason},
        )


def sync_all(*, transport: Transport | None = None) -> dict[int, SyncResult | str]:
    """Every connected démarche with a mapping; a refusal of DS for one does not stop the others."""
    results: dict[int, SyncResult | str] = {}
    for demarche in Demarche.objects.exclude(mapping={}).order_by("number"):
        try:
            results[demarche.number] = sync_demarche(demarche=demarche, transport=transport)
        except DsError as error:
            results[demarche.number] = str(error)
    return results
