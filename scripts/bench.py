"""Benchmark: referential import, picker search and the main pages, on a fresh demo database.

Usage: make bench   (or: uv run python scripts/bench.py [--requests N])

By default it builds a fresh SQLite database under build/bench/; with BENCH_DATABASE_URL set
(an existing, empty PostgreSQL database) it measures there instead. It prints a table and writes
build/bench/results.json. Figures are wall-clock on this machine: compare runs on the same machine.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    args = parser.parse_args()

    BUILD.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL")
    if not database_url:
        db_file = BUILD / "db.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{db_file}"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from referential.importer import import_snapshot
    from referential.models import Authority

    results: dict[str, object] = {"database": connection.vendor}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    import_snapshot()
    results["import_first_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    import_snapshot()
    results["import_second_s"] = round(time.perf_counter() - started, 2)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    rng = random.Random(2026)
    names = list(Authority.objects.filter(kind="commune").values_list("name", flat=True))
    queries = [rng.choice(names)[: rng.randint(3, 10)] for _ in range(500)]
    queries += [str(code) for code in rng.sample(range(1000, 95999), 100)]
    timings = []
    for query in queries:
        started = time.perf_counter()
        Authority.objects.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    results["picker_search_ms"] = {
        "n": len(timings),
        "p50": round(statistics.median(timings), 2),
        "p95": round(percentile(timings, 95), 2),
        "max": round(max(timings), 2),
    }

    from projects.models import Project

    grand_paris = Authority.objects.get(kind="epci", name="Métropole du Grand Paris")
    funded = Project.objects.filter(state="funded", department__code="38").order_by("pk").first()
    assert funded is not None, "the demo has funded PTAI in Isère"
    from contracts.models import Contract, Programming

    lyon = Contract.objects.get(kind="ctai", authority__siren="200046977", state="signed")
    lyon_2021 = Programming.objects.get(contract=lyon, campaign__year=2021)
    pages = {
        "instructeur: tableau de bord": ("instructeur.isere", reverse("web:dashboard")),
        "instructeur: département 38": ("instructeur.isere", reverse("web:department_detail", args=["38"])),
        "diair: liste des départements": ("diair", reverse("web:department_list")),
        "diair: Métropole du Grand Paris": ("diair", reverse("web:authority_detail", args=[grand_paris.pk])),
        "admin: utilisateurs": ("admin", reverse("web:user_list")),
        "admin: sélecteur « saint »": ("admin", reverse("web:authority_picker") + "?field=authority&authority=saint"),
        "ministère: budget 2022": ("ministere", reverse("web:budget")),
        "ministère: écritures": ("ministere", reverse("web:ledger")),
        "ministère: export CSV": ("ministere", reverse("web:ledger_csv")),
        "admin: campagne 2021": ("admin", reverse("web:campaign_detail", args=[2021])),
        "instructeur: liste des PTAI": ("instructeur.isere", reverse("web:project_list")),
        "instructeur: PTAI financé": ("instructeur.isere", reverse("web:project_detail", args=[funded.pk])),
        "ministère: liste des PTAI": ("ministere", reverse("web:project_list")),
        "diair: liste des CTAI": ("diair", reverse("web:contract_list")),
        "préfet Rhône: CTAI de Lyon signé": ("prefet.rhone", reverse("web:contract_detail", args=[lyon.pk])),
        "préfet Rhône: programmation 2021 de Lyon": (
            "prefet.rhone",
            reverse("web:programming_detail", args=[lyon_2021.pk]),
        ),
        "diair: export CSV des CTAI": ("diair", reverse("web:contract_csv")),
        "anonyme: appels à projets ouverts": (None, reverse("web:call_list")),
        "anonyme: accueil": (None, reverse("web:home")),
        "anonyme: /healthz": (None, reverse("healthz")),
    }
    page_results = {}
    for label, (account, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if account:
            client.force_login(User.objects.get(email__startswith=f"{account}@"))
        client.get(url)  # warm-up
        timings = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        page_results[label] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 95), 1),
            "queries": len(captured),
            "kb": round(len(response.getvalue()) / 1024, 1),
        }
    results["pages"] = page_results
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    print(f"Base : {results['database']}")
    first, second = results["import_first_s"], results["import_second_s"]
    print(f"Import du référentiel : {first} s (premier), {second} s (second, sans changement)")
    picker = results["picker_search_ms"]
    print(f"Recherche de collectivité ({picker['n']} requêtes) : ", end="")
    print(f"p50 {picker['p50']} ms, p95 {picker['p95']} ms, max {picker['max']} ms")
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'requêtes':>9} {'Ko':>7}")
    for label, row in page_results.items():
        print(f"{label:<36} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['queries']:>9} {row['kb']:>7}")
    print(f"Mémoire maximale du processus : {results['peak_rss_mb']} Mo")
    (BUILD / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
