"""`make bench [SCALE=0.1]`: build the bench databases, measure every registered page, write the report.

    python -m bench [--scale 1] [--seed 2026] [--requests 30] [--reuse]

1. Two PostgreSQL databases are (re)built: the bench database at `--scale` and its tenth (for the
   query counts "at a tenth"): migrations, the referential import (timed), then `bench.generate`.
   `--reuse` keeps a database already generated with the same scale and seed.
2. In this process (Django test client, bench database): each page's SQL query count and its
   **SQL floor** (the page's captured queries replayed alone, median of 5); the same counts on the
   tenth database in a subprocess.
3. gunicorn (2 sync workers, `config.settings.bench`) on loopback: p50/p95/p99 at 1 client, p50/p95
   and req/s at 10 concurrent clients, the naked page's p50; exports: seconds to the last byte and the
   workers' peak memory growth.
4. `bench/results.json` (the issue's format, plus `meta`) and a table on the terminal.

BENCH_DATABASE_URL names the bench database (default postgres://postgres@127.0.0.1:5432/territoires_bench);
the tenth is the same name with `_tenth`. Both are dropped and re-created unless `--reuse`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/territoires_bench"
SETTINGS = "config.settings.bench"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))], 1)


def _with_name(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + suffix))


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        # Persistent connections, as deployed (a new connection costs ≈ 10 ms a request).
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
    }


def _setup(database_url: str) -> None:
    os.environ.update(_env(database_url))
    import django

    django.setup()


# --- 1. Build -----------------------------------------------------------------------------------


def prepare(scale: float, seed: int, reuse: bool) -> dict[str, Any]:
    """In a process set up on the database to build: (re)create, migrate, import, generate."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = urlsplit(url).path.lstrip("/")
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            with psycopg.connect(url) as db:
                meta = db.execute("SELECT to_regclass('bench_meta') IS NOT NULL").fetchone()
                if meta and meta[0]:
                    row = db.execute("SELECT scale, seed, info FROM bench_meta").fetchone()
                    if row and row[0] == scale and row[1] == seed:
                        import django
                        from django.core.management import call_command

                        django.setup()
                        call_command("migrate", verbosity=0)  # the code's newer migrations (indexes)
                        return dict(row[2], reused=True)
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import Generator
    from referential.importer import import_snapshot

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    import_snapshot()
    import_s = time.perf_counter() - started
    started = time.perf_counter()
    counts = Generator(scale=scale, seed=seed, log=lambda m: print(m, file=sys.stderr)).run()
    generate_s = time.perf_counter() - started
    info = {
        "migrate_s": round(migrate_s, 1),
        "referential_import_s": round(import_s, 1),
        "generate_s": round(generate_s, 1),
        "rows": dict(sorted(counts.rows.items())),
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (scale double precision, seed integer, info jsonb)")
        cursor.execute("INSERT INTO bench_meta VALUES (%s, %s, %s)", [scale, seed, json.dumps(info)])
    return info


# --- 2. Query counts and the SQL floor ------------------------------------------------------------


def login_cookie(email: str) -> str:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies["sessionid"].value


def count_queries(*, floor: bool) -> dict[str, dict[str, Any]]:
    """Each page through the test client: its query count (and its SQL floor when `floor`)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.pages import PAGES, USERS

    results: dict[str, dict[str, Any]] = {}
    clients: dict[str | None, Client] = {}
    for page in PAGES:
        client = clients.get(page.user)
        if client is None:
            client = clients[page.user] = Client(HTTP_HOST="127.0.0.1")
            if page.user:
                client.force_login(User.objects.get(email=USERS[page.user]()))
        path = page.resolve()

        def get(client: Client = client, path: str = path) -> Any:
            response = client.get(path)
            if response.streaming:
                b"".join(getattr(response, "streaming_content", []))
            return response

        if page.export:
            results[page.name] = _count_export(client, path)
            continue
        get()  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = get()
        if response.status_code != 200:  # reported, not measured; the run goes on
            print(f"{page.name}: {path} answered {response.status_code}", file=sys.stderr)
            results[page.name] = {"path": path, "error": response.status_code}
            continue
        row: dict[str, Any] = {"path": path, "queries": len(captured)}
        if floor:
            sqls = [q["sql"] for q in captured.captured_queries]
            timings = []
            for _ in range(5):
                with transaction.atomic(), connection.cursor() as cursor:
                    started = time.perf_counter()
                    for sql in sqls:
                        cursor.execute(sql)
                        if cursor.description:
                            cursor.fetchall()
                    timings.append((time.perf_counter() - started) * 1000)
            row["sql_floor_ms"] = round(statistics.median(timings), 1)
        results[page.name] = row
    return results


EXPORT_PAGE = re.compile(r"^/exports/(\d+)/$")


def _count_export(client: Any, path: str) -> dict[str, Any]:
    """An export's query count. Above `EXPORT_TASK_THRESHOLD` rows it answers 302 to its export
    page (`task`: measured through a worker, `measure_task_export`); the export and the task that
    request recorded are deleted (no worker runs them here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    def get() -> Any:
        response = client.get(path)
        if response.streaming:
            b"".join(getattr(response, "streaming_content", []))
        return response

    started = timezone.now()
    get()  # warm-up
    with CaptureQueriesContext(connection) as captured:
        response = get()
    if response.status_code == 302 and EXPORT_PAGE.match(response["Location"]):
        _forget_export_tasks(since=started)
        return {"path": path, "queries": len(captured), "task": True}
    if response.status_code != 200:
        print(f"{path} answered {response.status_code}", file=sys.stderr)
        return {"path": path, "error": response.status_code}
    return {"path": path, "queries": len(captured)}


def _forget_export_tasks(*, since: Any = None) -> None:
    """Delete the exports (and their files) and the export tasks not yet run, recorded since `since`
    (all of them when None): the bench's own, on the bench database only."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from jobs.models import Export

    exports = Export.objects.all() if since is None else Export.objects.filter(created_at__gte=since)
    for export in exports:
        if export.file:
            export.file.delete(save=False)
        export.delete()
    tasks = DBTaskResult.objects.filter(task_path="web.tasks.run_export", status=TaskResultStatus.READY)
    (tasks if since is None else tasks.filter(enqueued_at__gte=since)).delete()


# --- 3. HTTP against gunicorn ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, database_url: str) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=_env(database_url),
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Worker:
    """A task worker as deployed (the Procfile's `manage.py worker`, `config.settings.bench`, the
    bench database), started for one export and stopped after it: its memory growth is that
    export's alone. Ready once it has written its heartbeat (django set up, polling the queue)."""

    def __init__(self, database_url: str) -> None:
        from jobs.models import WorkerHeartbeat

        _forget_export_tasks()  # a run cut short left tasks in the queue: not this export's
        self.worker_id = f"bench-{os.getpid()}-{time.monotonic_ns()}"[:64]
        command = [sys.executable, "manage.py", "worker", "--queue-name", "*", "--no-reload"]
        self.process = subprocess.Popen([*command, "--worker-id", self.worker_id], cwd=ROOT, env=_env(database_url))
        for _ in range(600):
            if WorkerHeartbeat.objects.filter(worker_id=self.worker_id).exists():
                break
            if self.process.poll() is not None:
                raise SystemExit("the task worker stopped at its start")
            time.sleep(0.05)
        else:
            raise SystemExit("the task worker did not start")
        time.sleep(0.5)  # its first poll of the queue done: idle
        self.baseline_mb = rss_mb(self.process.pid)

    def stop(self) -> None:
        from jobs.models import WorkerHeartbeat

        self.process.terminate()
        self.process.wait(timeout=60)
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fetch(port: int, path: str, cookie: str | None) -> tuple[float, int, int]:
    """(milliseconds to the last byte, status, number of lines of the body)."""
    ms, status, lines, _headers = fetch_file(port, path, cookie)
    return ms, status, lines


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fetch_file(port: int, path: str, cookie: str | None) -> tuple[float, int, int, dict[str, str]]:
    """(milliseconds to the last byte, status, rows of the body, headers): the lines of a text, the
    rows of an XLSX's sheet (the file read once downloaded, after the time is taken)."""
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    xlsx = response.getheader("Content-Type", "").startswith(XLSX_TYPE)
    lines, body = 0, bytearray()
    while chunk := response.read(65536):
        if xlsx:
            body += chunk
        else:
            lines += chunk.count(b"\n")
    conn.close()
    ms = (time.perf_counter() - started) * 1000
    if xlsx:
        lines = _xlsx_rows(bytes(body))
    return ms, response.status, lines, {k.lower(): v for k, v in response.getheaders()}


def _xlsx_rows(body: bytes) -> int:
    """The number of rows of an XLSX's sheet (the header included, like a CSV's lines)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        return archive.read(sheet).count(b"<row")


def measure(port: int, path: str, cookie: str | None, requests: int, clients: int) -> dict[str, float]:
    fetch(port, path, cookie)  # warm-up
    timings: list[float] = []

    def one(_: int) -> None:
        ms, status, _lines = fetch(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        timings.append(ms)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    return {
        "p50": round(statistics.median(timings), 1),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "rps": round(len(timings) / wall, 1),
    }


def measure_task_export(server: Server, worker: Worker, path: str, cookie: str | None) -> dict[str, Any]:
    """An export written by a task, the road its user takes: the request (302 to the export page),
    the worker writes the file, then the download. `seconds`: from the request to the last byte
    downloaded (the Export row polled every 20 ms; the page's htmx polls, every 2 s, are left out);
    `ready_s`: to the file written; `queued_s`: the wait for the worker (it polls the queue every
    second, as deployed); `peak_mb`: the worker's peak memory growth over its idle size (VmRSS
    sampled every 20 ms and VmHWM, the kernel's own peak)."""
    from django_tasks_db.models import DBTaskResult

    from jobs.models import Export, ExportStatus

    pid = worker.process.pid
    peak = worker.baseline_mb
    started = time.perf_counter()
    _ms, status, _lines, headers = fetch_file(server.port, path, cookie)
    match = EXPORT_PAGE.match(urlsplit(headers.get("location", "")).path)
    if status != 302 or match is None:
        raise RuntimeError(f"{path} answered {status}, not the page of an export task")
    pk = int(match.group(1))
    while True:
        peak = max(peak, rss_mb(pid))
        state = Export.objects.filter(pk=pk).values_list("status", flat=True).first()
        if state in (ExportStatus.DONE, ExportStatus.FAILED):
            break
        if worker.process.poll() is not None:
            raise RuntimeError("the task worker stopped during the export")
        time.sleep(0.02)
    ready = time.perf_counter() - started
    peak = max(peak, rss_mb(pid, "VmHWM"))
    if state == ExportStatus.FAILED:
        raise RuntimeError(f"{path}: the export task failed")
    export = Export.objects.get(pk=pk)
    asked = time.perf_counter() - started
    download_ms, download_status, rows, _h = fetch_file(server.port, f"/exports/{pk}/telecharger/", cookie)
    seconds = asked + download_ms / 1000  # the rows of an XLSX are counted after its last byte: not timed
    _page_ms, page_status, _l = fetch(server.port, f"/exports/{pk}/", cookie)  # says it is ready (not timed)
    if page_status != 200 or download_status != 200 or rows - 1 != export.rows_done:
        raise RuntimeError(f"{path}: export page {page_status}, file {download_status}, {rows - 1} rows")
    task = DBTaskResult.objects.filter(task_path="web.tasks.run_export", args_kwargs__args=[pk]).first()
    queued = (task.started_at - task.enqueued_at).total_seconds() if task and task.started_at else None
    export.file.delete(save=False)
    export.delete()
    return {
        "rows": export.rows_done,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak - worker.baseline_mb, 1),
        "road": "tâche",
        "ready_s": round(ready, 2),
        "queued_s": round(queued, 2) if queued is not None else None,
        "download_s": round(download_ms / 1000, 2),
    }


def measure_export(server: Server, path: str, cookie: str | None) -> dict[str, float]:
    workers = server.workers()
    before = {pid: rss_mb(pid) for pid in workers}
    peak = dict(before)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_mb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    ms, status, lines = fetch(server.port, path, cookie)
    done.set()
    sampler.join()
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    growth = max(peak[pid] - before[pid] for pid in workers)
    return {"rows": lines - 1, "seconds": round(ms / 1000, 2), "peak_mb": round(growth, 1)}


# --- 4. The whole run -----------------------------------------------------------------------------


def _subprocess(database_url: str, *args: str) -> dict[str, Any]:
    env = _env(database_url)
    if args and args[0] == "prepare":
        # The data build COPYs a quarter of a million reports in one statement: no 30 s cap (the
        # site's statement timeout) on a loaded machine.
        env["DB_STATEMENT_TIMEOUT_MS"] = "0"
    output = subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark at national scale (docs/PERFORMANCE.md).")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE") or 1))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=30, help="requests per page at 1 client (twice that at 10)")
    parser.add_argument("--reuse", action="store_true", help="keep databases already generated")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this (several: a|b)")
    parser.add_argument("command", nargs="?", default="all", choices=["all", "prepare", "queries"])
    args = parser.parse_args()

    if args.command == "prepare":
        print(json.dumps(prepare(args.scale, args.seed, args.reuse)))
        return
    if args.command == "queries":
        _setup(os.environ["DATABASE_URL"])
        print(json.dumps(count_queries(floor=False)))
        return

    started = time.perf_counter()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    tenth_url = _with_name(url, "_tenth")
    reuse = ["--reuse"] if args.reuse else []
    print(f"Données : échelle {args.scale} (et {args.scale / 10:g} pour les comptes de requêtes)…", flush=True)
    info = _subprocess(url, "prepare", f"--scale={args.scale}", f"--seed={args.seed}", *reuse)
    _subprocess(tenth_url, "prepare", f"--scale={args.scale / 10}", f"--seed={args.seed}", *reuse)
    print(f"  {json.dumps(info, ensure_ascii=False)}", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"],
        cwd=ROOT,
        env=_env(url),
        check=True,
    )
    tenth = _subprocess(tenth_url, "queries")

    _setup(url)
    from bench.pages import PAGES, USERS

    print("Requêtes SQL et plancher SQL…", flush=True)
    counted = count_queries(floor=True)
    cookies = {key: login_cookie(USERS[key]()) for key in {p.user for p in PAGES if p.user}}
    load = os.getloadavg()
    server = Server(url)
    pages: dict[str, Any] = {}
    exports: dict[str, Any] = {}
    try:
        for page in PAGES:
            if args.only and not any(part in page.name for part in args.only.split("|")):
                continue
            path = counted[page.name]["path"]
            if "error" in counted[page.name]:
                pages[page.name] = {"path": path, "error": counted[page.name]["error"]}
                continue
            cookie = cookies.get(page.user) if page.user else None
            if page.export and counted[page.name].get("task"):
                worker = Worker(url)
                try:
                    measured = measure_task_export(server, worker, path, cookie)
                finally:
                    worker.stop()
                exports[page.name] = measured
                print(f"  {page.name}: {measured}", flush=True)
                continue
            if page.export:
                measured = measure_export(server, path, cookie)
                exports[page.name] = measured
                print(f"  {page.name}: {measured}", flush=True)
                continue
            one = measure(server.port, path, cookie, args.requests, 1)
            ten = measure(server.port, path, cookie, args.requests * 2, 10)
            naked_p50 = None
            if page.naked:
                query = path.split("?", 1)[1] if "?" in path else ""
                naked_path = f"/_bench/{page.naked}/" + (f"?{query}" if query else "")
                naked_p50 = measure(server.port, naked_path, cookie, args.requests, 1)["p50"]
            pages[page.name] = {
                "path": path,
                "p50_ms": one["p50"],
                "p95_ms": one["p95"],
                "p99_ms": one["p99"],
                "p50_ms_10": ten["p50"],
                "p95_ms_10": ten["p95"],
                "rps_10": ten["rps"],
                "queries": counted[page.name]["queries"],
                "queries_tenth": tenth.get(page.name, {}).get("queries"),
                "sql_floor_ms": counted[page.name].get("sql_floor_ms"),
                "naked_p50_ms": naked_p50,
                "ratio_to_naked": round(one["p50"] / naked_p50, 2) if naked_p50 else None,
            }
            print(f"  {page.name}: {pages[page.name]}", flush=True)
    finally:
        server.stop()
    results = {
        "scale": args.scale,
        "pages": pages,
        "exports": exports,
        "meta": {
            **info,
            "seed": args.seed,
            "requests": args.requests,
            "load_average_at_start": [round(x, 2) for x in load],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "total_s": round(time.perf_counter() - started, 1),
        },
    }
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print_table(results)


def print_table(results: dict[str, Any]) -> None:
    head = f"{'page':<46} {'p50':>6} {'p95':>6} {'p99':>6} {'p50@10':>7} {'p95@10':>7} {'rps@10':>7}"
    print(head + f" {'req':>4} {'req/10':>6} {'SQL':>6} {'nu':>6} {'x nu':>5}")
    for name, r in results["pages"].items():
        if "error" in r:
            print(f"{name:<46} erreur {r['error']} ({r['path']})")
            continue
        print(
            f"{name:<46} {r['p50_ms']:>6} {r['p95_ms']:>6} {r['p99_ms']:>6} {r['p50_ms_10']:>7} {r['p95_ms_10']:>7}"
            f" {r['rps_10']:>7} {r['queries']:>4} {r['queries_tenth']:>6} {r['sql_floor_ms'] or '':>6}"
            f" {r['naked_p50_ms'] or '':>6} {r['ratio_to_naked'] or '':>5}"
        )
    for name, e in results["exports"].items():
        road = f" (tâche : fichier prêt en {e['ready_s']} s)" if e.get("road") == "tâche" else ""
        print(f"{name:<46} {e['rows']} lignes, {e['seconds']} s, +{e['peak_mb']} Mo{road}")
    print(f"Résultats : {RESULTS.relative_to(ROOT)} ({results['meta']['total_s']} s)")


if __name__ == "__main__":
    main()
