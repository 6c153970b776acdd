"""The site's URLs plus the naked floors under /_bench/ (config.settings.bench only)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from bench.naked import naked

urlpatterns = [
    path("_bench/<slug:name>/", login_not_required(naked), name="bench_naked"),
    path("", include("config.urls")),
]
