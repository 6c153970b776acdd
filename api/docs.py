"""The OpenAPI schema and its Swagger UI page, without CDN and within the site's CSP.

Swagger UI's files come from the drf-spectacular-sidecar package (served as static files). The
page is drf-spectacular's "split" view: its start-up script is a second request to the same
address (`?script=`) instead of an inline `<script>`, and our template has no inline `<style>` —
so the site's policy (script-src 'self' + nonce, style-src 'self') holds unchanged for this page.
Swagger UI's validator badge (an image from an outside site) is off (`validatorUrl: None`).
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 document: JSON by default, YAML with `?format=yaml` or `Accept: application/yaml`."""


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "API Territoires d'intégration — documentation"
