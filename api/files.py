"""A file's documents and its message thread, for any viewset of files (PTAI, CTAI):

    GET  …/{id}/documents/                 the documents the caller may see (internal ones: State agents)
    POST …/{id}/documents/                 attach one (multipart: `file`, `kind` when the file has kinds)
    GET  …/{id}/documents/{document_id}/   download it (its own content type, as an attachment)
    GET  …/{id}/messages/                  the thread, oldest first (internal notes: State agents)
    POST …/{id}/messages/                  write on it (`body`, `is_internal`)

The rules stay in the domain: a viewset gives the functions of its file (`Files`), the mixin only
calls them — the same as its pages call.

- The file comes from `get_object()` (the scoped queryset): outside the scope, 404; a document
  that is not the file's (or is internal and the caller no State agent): 404.
- Upload: `documents.services.attach` through the file's own service (who, when, which kind);
  the content is checked (type by content, size, not empty): 400 with the French message, 413
  `file_too_large` above `DOCUMENT_MAX_BYTES`; a kind the caller may attach but not in the file's
  current state: 409; not the caller's to attach: 403.
- Messages: `messaging.services.post_message`; a caller in scope who may not write on the thread:
  403; an internal note by a non-State caller: 403; an empty or too long body: 400.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Conflict
from api.parsers import JSONParser
from documents import uploads
from documents.models import Document
from messaging.models import Message
from messaging.services import max_length, post_message

DOCUMENT_ID = OpenApiParameter(
    "document_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Le document (id) du dossier."
)
# What a download may answer: the types `documents.uploads` accepts, and the generated PDFs.
DOWNLOAD_TYPES = (
    uploads.PDF,
    uploads.PNG,
    uploads.JPEG,
    uploads.ODT,
    uploads.ODS,
    uploads.DOCX,
    uploads.XLSX,
    uploads.TEXT,
    uploads.CSV,
)


class FileTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Le fichier dépasse la taille maximale autorisée."
    default_code = "file_too_large"


@dataclass(frozen=True)
class Files:
    """The functions of one kind of file; each receives the file fetched through its scope."""

    documents: Callable[[Any, Any], QuerySet[Document]]  # (file, user) -> the documents user may see
    document_of: Callable[[Document], str | None]  # the file (pk as text) a document belongs to
    upload: Callable[[Any, Any, Any, str], Document]  # (file, user, uploaded file, kind) -> Document
    may_write: Callable[[Any, Any], bool]  # (file, user): may write on the thread
    write_refused: str  # the 403's message when not
    kinds: Callable[[Any, Any], Sequence[str]] | None = None  # kinds user may attach in any state
    kind_now: Callable[[Any, str], bool] | None = None  # (file, kind): attachable in its state now


class DocumentSerializer(serializers.Serializer[Document]):
    id = serializers.IntegerField(help_text="Identifiant du document.")
    kind = serializers.CharField(help_text="Nature (code) : `piece-jointe`, `lettre-engagement`, `decision`…")
    name = serializers.CharField(source="original_name", help_text="Nom du fichier envoyé.")
    content_type = serializers.CharField(help_text="Type reconnu d'après le contenu (`application/pdf`…).")
    size = serializers.IntegerField(help_text="Taille en octets.")
    sha256 = serializers.CharField(help_text="Empreinte SHA-256 du contenu.")
    is_internal = serializers.BooleanField(help_text="Document interne : lu par les seuls services de l'État.")
    uploaded_by = serializers.SerializerMethodField(help_text="Nom de la personne qui l'a joint (null : généré).")
    created_at = serializers.DateTimeField(help_text="Joint le.")
    url = serializers.SerializerMethodField(help_text="Adresse de téléchargement dans l'API.")

    def get_uploaded_by(self, document: Document) -> str | None:
        user = document.uploaded_by
        return (user.get_full_name() or user.email) if user is not None else None

    def get_url(self, document: Document) -> str:
        return f"{self.context['base']}documents/{document.pk}/"


class DocumentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="Le fichier : PDF, PNG, JPEG, ODT, ODS, DOCX, XLSX, texte ou CSV ; 10 Mo au plus."
    )
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="Nature du document, quand le dossier en a plusieurs (CTAI : `lettre-engagement`, `diagnostic`, "
        "`contrat-signe`) ; PTAI : `piece-jointe`, par défaut.",
    )


class MessageAttachmentSerializer(serializers.Serializer[Document]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Adresse de téléchargement dans l'API.")

    def get_url(self, document: Document) -> str:
        return f"{self.context['base']}documents/{document.pk}/"


class MessageSerializer(serializers.Serializer[Message]):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField(help_text="Nom de l'auteur.")
    body = serializers.CharField(help_text="Le message.")
    is_internal = serializers.BooleanField(help_text="Note interne : lue par les seuls services de l'État.")
    created_at = serializers.DateTimeField(help_text="Envoyé le.")
    attachments = MessageAttachmentSerializer(many=True, help_text="Pièces jointes (envoyées depuis le site).")

    def get_author(self, message: Message) -> str:
        return message.author.get_full_name() or message.author.email


class MessageWriteSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        max_length=None, trim_whitespace=True, help_text="Le message (5 000 caractères au plus)."
    )
    is_internal = serializers.BooleanField(
        default=False, help_text="Note interne, lue par les seuls services de l'État (réservée à leurs agents)."
    )

    def validate_body(self, value: str) -> str:
        limit = max_length()
        if len(value) > limit:
            raise serializers.ValidationError(
                f"Le message est trop long : {len(value)} caractères pour {limit} au plus.", code="message_too_long"
            )
        return value


class FilesMixin:
    """Adds `documents/`, `documents/{document_id}/` and `messages/` to a viewset of files."""

    files: Files
    get_object: Callable[[], Any]
    paginate_queryset: Callable[[Any], Any]
    get_paginated_response: Callable[[Any], Response]

    def _base(self, request: Request, obj: Any) -> str:
        path = request.path
        return path[: path.index(f"/{obj.pk}/") + len(f"/{obj.pk}/")]

    @extend_schema(
        methods=["GET"],
        summary="Les documents du dossier",
        description="Les documents que l'appelant peut lire (les documents internes : services de l'État).",
        request=None,
        responses=DocumentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Joindre un document au dossier",
        description=(
            "Multipart (`file`, `kind`). Le type est reconnu d'après le contenu ; au-delà de la taille maximale "
            "(10 Mo) : 413 `file_too_large`. Qui joint quoi et quand : comme sur les pages (PTAI : la "
            "collectivité tant que le dossier est modifiable ; CTAI : selon la nature du document)."
        ),
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="documents",
        url_name="documents",
        parser_classes=[parsers.MultiPartParser],
    )
    def documents(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        context = {"base": self._base(request, obj)}
        if request.method != "POST":
            page = self.paginate_queryset(self.files.documents(obj, request.user).select_related("uploaded_by"))
            return self.get_paginated_response(DocumentSerializer(page, many=True, context=context).data)
        body = DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kind = body.validated_data.get("kind") or ""
        files = self.files
        known = files.kinds is not None and files.kind_now is not None and kind in files.kinds(obj, request.user)
        if known and files.kind_now is not None and not files.kind_now(obj, kind):
            raise Conflict("Ce document ne se joint pas dans l'état actuel du dossier.", code="document_not_now")
        try:
            document = files.upload(obj, request.user, body.validated_data["file"], kind)
        except ValidationError as error:
            if getattr(error, "code", None) == "file_too_big":
                raise FileTooLarge(error.messages[0]) from None
            raise
        return Response(DocumentSerializer(document, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Télécharger un document du dossier",
        description="Le fichier, avec son type reconnu à l'envoi (`Content-Disposition: attachment`).",
        parameters=[DOCUMENT_ID],
        request=None,
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="Le fichier.")
            for content_type in DOWNLOAD_TYPES
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>[0-9]+)",
        url_name="document",
    )
    def document(self, request: Request, document_id: str, *args: Any, **kwargs: Any) -> FileResponse:
        obj = self.get_object()
        document = Document.objects.visible_to(request.user).filter(pk=int(document_id)).first()
        if document is None or self.files.document_of(document) != str(obj.pk):
            raise exceptions.NotFound("Introuvable.")
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        methods=["GET"],
        summary="Le fil de discussion du dossier",
        description="Du plus ancien au plus récent ; les notes internes pour les seuls services de l'État.",
        request=None,
        responses=MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Écrire sur le fil de discussion du dossier",
        description=(
            "Les personnes du dossier reçoivent une notification après l'enregistrement. Les pièces jointes "
            "s'envoient depuis le site."
        ),
        request=MessageWriteSerializer,
        responses={201: MessageSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="messages",
        url_name="messages",
        parser_classes=[JSONParser],
    )
    def messages(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        user = request.user
        context = {"base": self._base(request, obj)}
        if request.method != "POST":
            thread = Message.objects.for_target(obj).visible_to(user).for_display().order_by("created_at", "pk")
            page = self.paginate_queryset(thread)
            return self.get_paginated_response(MessageSerializer(page, many=True, context=context).data)
        if not self.files.may_write(obj, user):
            raise exceptions.PermissionDenied(self.files.write_refused)
        body = MessageWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = post_message(
            author=user,  # type: ignore[arg-type]
            target=obj,
            body=body.validated_data["body"],
            is_internal=body.validated_data["is_internal"],
        )
        saved = Message.objects.filter(pk=message.pk).for_display().get()
        return Response(MessageSerializer(saved, context=context).data, status=status.HTTP_201_CREATED)
