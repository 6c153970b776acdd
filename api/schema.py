"""The OpenAPI document's error answers: every operation documents the errors it can answer, with
the one JSON shape of `api.errors` and a French description (docs/api.md, « Errors »).

- every operation: 400 (a query parameter, a page number or the input refused), 401, 403, 404
  (an object outside the scope, a page past the end), 429;
- writes (POST, PUT, PATCH, DELETE): 409 (not possible in the object's current state);
- operations with a body: 413 (too large to read) and 415 (not JSON).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="Une phrase pour une personne, en français.")
    code = serializers.CharField(help_text="Un code stable pour les programmes (`not_found`, `rules`…).")
    errors = serializers.DictField(  # type: ignore[assignment]  # Serializer.errors: a field named "errors"
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Les messages par champ (`non_field_errors` pour l'objet entier) ; `{}` sinon.",
    )
    rule_ids = serializers.ListField(
        child=serializers.CharField(), help_text="Les règles du programme qui ont refusé l'opération."
    )

    class Meta:
        ref_name = "Erreur"


ERRORS = {
    "400": "Données ou paramètres refusés : messages en français par champ, règles du programme en cause.",
    "401": "Jeton absent, inconnu, révoqué ou expiré (en-tête `WWW-Authenticate: Token`).",
    "403": "Le rôle de l'appelant ne permet pas cette opération.",
    "404": "Adresse inconnue, objet inexistant ou hors du périmètre de l'appelant, page au-delà de la dernière.",
    "409": "Opération impossible dans l'état actuel de l'objet (déjà faite, ou état changé).",
    "413": "Corps de la requête trop volumineux pour être lu.",
    "415": "Corps de la requête qui n'est pas du JSON.",
    "429": "Trop de requêtes : réessayer après le délai de l'en-tête `Retry-After`.",
}
SUCCESS = {"200": "Réussite.", "201": "Créé.", "204": "Supprimé (pas de corps de réponse)."}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """Path parameters as the routes accept them (a value outside answers the JSON 404 of an
        unknown address): ids are natural numbers, a year has four digits."""
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] != "path":
                continue
            schema = parameter["schema"]
            if parameter["name"] == "year":
                parameter["schema"] = {"type": "integer", "minimum": 1000, "maximum": 9999}
            elif schema.get("type") == "integer" or schema.get("pattern") == "^[0-9]+$":
                parameter["schema"] = {"type": "integer", "minimum": 0}
        return operation

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "429"]
        if self.method in WRITES:
            codes.append("409")
        if self.method in WITH_BODY:
            codes += ["413", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if code in SUCCESS and not response.get("description"):
                response["description"] = SUCCESS[code]
            elif code == "204":
                response["description"] = SUCCESS["204"]
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)  # type: ignore[no-untyped-call]
            responses[code]["description"] = ERRORS[code]
        return responses
