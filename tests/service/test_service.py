"""The platform in service, on PostgreSQL: two gunicorn instances and one worker started from the
Procfile by honcho, a local SMTP server that can be down, a pg_dump/pg_restore drill.

Slow (processes, migrations): marker `service`, run by `make test-service` (called by .ci/run)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shlex
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.service,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="service tests need PostgreSQL"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's smtplib client: every message received is kept. A recipient
    named in `SMTPServer.hold` keeps the client waiting at RCPT until `SMTPServer.release` is set."""

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client went away (a worker killed while we held it)
            self.converse()

    def converse(self) -> None:
        server: SMTPServer = self.server.owner  # type: ignore[attr-defined]
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith("RCPT") and server.hold and server.hold.upper() in command:
                server.held.set()
                server.release.wait(60)
                self.wfile.write(b"250 ok\r\n")
            elif command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                server.messages.append(data.decode(errors="replace"))
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class SMTPServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[str] = []
        self.hold = ""
        self.held = threading.Event()
        self.release = threading.Event()
        self.server: socketserver.ThreadingTCPServer | None = None

    def up(self) -> None:
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), SMTPHandler)
        self.server.owner = self  # type: ignore[attr-defined]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{name}"))


def recreate(name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(DATABASE_URL)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


class Platform:
    def __init__(self, tmp: Path) -> None:
        self.db = urlsplit(DATABASE_URL).path.lstrip("/") + "_service"
        self.smtp = SMTPServer(free_port())
        self.port = free_port()
        while free_port() == self.port + 1:  # honcho gives web.1 PORT and web.2 PORT + 1
            pass
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")},
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DATABASE_URL": database_url(self.db),
            "SECRET_KEY": "service-test-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp.port),
            "SMTP_USE_TLS": "false",
            "SMTP_TIMEOUT": "3",
            "MEDIA_ROOT": str(tmp / "media"),
            "WEB_CONCURRENCY": "1",
            "WORKER_LOST_AFTER_SECONDS": "3",
            "RETRY_BACKOFF_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
        }
        self.log = tmp / "honcho.log"
        self.honcho: subprocess.Popen[bytes] | None = None

    def run(self, command: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, env=env or self.env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def shell(self, code: str) -> str:
        return self.run(f"python manage.py shell -v0 -c {shlex.quote(code)}")

    def start(self) -> None:
        honcho = Path(sys.executable).parent / "honcho"
        self.log_file = self.log.open("ab")
        self.honcho = subprocess.Popen(
            [str(honcho), "--no-colour", "start", "-p", str(self.port), "-c", "web=2,worker=1", "web", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for port in (self.port, self.port + 1):
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                        break
                except OSError:
                    assert time.monotonic() < deadline, self.log.read_text()
                    time.sleep(0.5)

    def stop(self) -> None:
        if self.honcho is not None and self.honcho.poll() is None:
            os.killpg(self.honcho.pid, signal.SIGTERM)
            self.honcho.wait(timeout=30)
        self.log_file.close()

    def api(self, port: int, token: str, path: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/{path}",
            data=data,
            method="POST" if data is not None else "GET",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def post_oversized(self, port: int, token: str, path: str, size: int) -> tuple[int, Any]:
        """POST a JSON body of `size` bytes the way a client streams it: the server may answer 413 and
        close before the body is sent (a broken pipe on our side), the answer is read all the same."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.putrequest("POST", f"/api/v1/{path}")
        for name, value in (
            ("Authorization", f"Token {token}"),
            ("Content-Type", "application/json"),
            ("Content-Length", str(size)),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        chunk = b"a" * 65536
        try:
            connection.send(b'{"x": "')
            for _ in range(size // len(chunk)):
                connection.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused early: the answer is waiting
        response = connection.getresponse()
        try:
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def wait_for(self, code: str, expected: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while (value := self.shell(code).strip()) != expected:
            assert time.monotonic() < deadline, (
                f"{code} → {value!r}, expected {expected!r}\n{self.log.read_text()[-4000:]}"
            )
            time.sleep(1)
        return value

    def new_project(self) -> dict[str, Any]:
        out = self.run(f"python manage.py shell -v0 < {ROOT / 'tests' / 'service' / 'scenario.py'}")
        return dict(json.loads(out.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    platform = Platform(tmp_path_factory.mktemp("service"))
    recreate(platform.db)
    platform.run(procfile()["release"])
    platform.run("python manage.py import_referential")
    platform.smtp.up()
    platform.start()
    yield platform
    platform.stop()
    platform.smtp.down()


DOCS = (
    "from documents.models import Document; from projects.models import Project; "
    "print(Document.objects.for_target(Project.objects.get(pk={pk})).count())"
)
# The e-mails of the three transitions walked here: one per person each transition tells
# (`projects.notifications.NEXT`), counted from the notifications written for them.
WALKED = "['ministry_approve', 'delegate_credits', 'commit']"
TOLD = (
    "from messaging.models import Notification; from projects.models import ProjectTransition; "
    "ids = ProjectTransition.objects.filter(project_id={pk}, transition__in="
    + WALKED
    + ").values_list('pk', flat=True); "
    "print(Notification.objects.filter(key__in=['ptai-transition:%d' % i for i in ids]).count())"
)
SINCE = (
    "from projects.models import ProjectTransition; "
    "start = ProjectTransition.objects.get(project_id={pk}, transition='ministry_approve').created_at; "
)
SENT = (
    SINCE + "from jobs.models import OutgoingEmail; "
    "print(OutgoingEmail.objects.filter(status='sent', subject__contains='{ref}', created_at__gte=start).count())"
)
WAITING = (
    SINCE + "from jobs.models import OutgoingEmail; "
    "print(OutgoingEmail.objects.filter(status='pending', attempts__gte=1, subject__contains='{ref}', "
    "created_at__gte=start).count())"
)


def walk_on_two_instances(platform: Platform, case: dict[str, Any]) -> tuple[int, int]:
    a, b = platform.port, platform.port + 1
    tokens, pk = case["tokens"], case["project"]
    assert (
        platform.api(a, tokens["ministry"], f"ptai/{pk}/transitions/ministry_approve/", {"amount": "40000"})[0] == 200
    )
    assert platform.api(b, tokens["ministry"], f"ptai/{pk}/transitions/delegate_credits/", {})[0] == 200
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def commit(port: int) -> None:
        barrier.wait()
        statuses.append(platform.api(port, tokens["prefect_isere"], f"ptai/{pk}/transitions/commit/", {})[0])

    threads = [threading.Thread(target=commit, args=(port,)) for port in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The one that lost the row lock is refused (400 state changed, or 409 no longer available).
    first, second = sorted(statuses)
    return first, 409 if second in (400, 409) else second


def test_a_ptai_walked_half_on_each_instance_commits_once_and_the_worker_produces_letters_and_emails_once(platform):
    case = platform.new_project()
    assert walk_on_two_instances(platform, case) == (200, 409)
    status, project = platform.api(platform.port, case["tokens"]["prefect_isere"], f"ptai/{case['project']}/")
    assert status == 200
    ref = project["reference"]
    platform.wait_for(DOCS.format(pk=case["project"]), "2")  # décision attributive + notification, once
    told = platform.shell(TOLD.format(pk=case["project"])).strip()
    assert int(told) >= 3  # validated, delegated, committed: at least the collectivité each time
    platform.wait_for(SENT.format(pk=case["project"], ref=ref), told)  # one e-mail per notification
    time.sleep(2)
    assert platform.shell(DOCS.format(pk=case["project"])).strip() == "2"
    assert platform.shell(SENT.format(pk=case["project"], ref=ref)).strip() == told  # never twice


def test_when_smtp_is_down_every_transition_succeeds_and_the_emails_go_when_it_is_back(platform):
    platform.smtp.down()
    case = platform.new_project()
    try:
        assert walk_on_two_instances(platform, case) == (200, 409)
        ref = platform.api(platform.port, case["tokens"]["ministry"], f"ptai/{case['project']}/")[1]["reference"]
        platform.wait_for(DOCS.format(pk=case["project"]), "2")
        told = platform.shell(TOLD.format(pk=case["project"])).strip()
        platform.wait_for(WAITING.format(pk=case["project"], ref=ref), told)
        assert not any(ref in message for message in platform.smtp.messages)
    finally:
        platform.smtp.up()
    time.sleep(2)  # past the first backoff (RETRY_BACKOFF_SECONDS=1)
    platform.shell("from jobs.tasks import flush_outbox; flush_outbox.enqueue()")
    platform.wait_for(SENT.format(pk=case["project"], ref=ref), told)


def test_a_1_000_000_character_text_and_a_10_mb_body_are_refused_in_french(platform):
    token = next(iter(platform.new_project()["tokens"].values()))
    status, body = platform.post_oversized(platform.port, token, "ptai/", 10 * 1024 * 1024)  # read before anything
    assert (status, body["code"]) == (413, "request_too_large")
    assert "trop volumineuse" in body["detail"]
    status, body = platform.api(platform.port, token, "ptai/", {"title": "a" * 1_000_000})
    assert status == 400
    assert "trop long" in json.dumps(body, ensure_ascii=False)
    assert platform.api(platform.port + 1, token, "me/")[0] == 200


KILLED_TO = "tuee-en-route@example.org"
OUTBOX = (
    "from jobs.models import OutgoingEmail; "
    "print(list(OutgoingEmail.objects.filter(to=['" + KILLED_TO + "']).values_list('status', 'attempts')))"
)
DELIVERY = (
    "from django_tasks_db.models import DBTaskResult; from jobs.models import OutgoingEmail; "
    "email = OutgoingEmail.objects.get(to=['" + KILLED_TO + "']); "
    "print([(r.status, len(r.worker_ids)) for r in DBTaskResult.objects.filter("
    "task_path='jobs.tasks.deliver_email', args_kwargs__args=[email.pk])])"
)
WORKER_PID = (
    "from jobs.models import WorkerHeartbeat; "
    "print(WorkerHeartbeat.objects.order_by('-last_seen').values_list('hostname', flat=True)[0].rsplit(':', 1)[1])"
)


def test_a_worker_killed_in_the_middle_of_a_task_the_task_runs_again_once(platform):
    """SIGKILL the worker while it talks to the SMTP server; a new worker runs the task again
    (`jobs.tasks.recover_tasks`) and the e-mail reaches the SMTP server exactly once."""
    worker = int(platform.shell(WORKER_PID))
    platform.smtp.hold = KILLED_TO
    try:
        platform.shell(
            "from django.core.mail import send_mail; "
            f"send_mail('Interrompu en route', 'Un seul exemplaire.', None, ['{KILLED_TO}'])"
        )
        assert platform.smtp.held.wait(30), platform.log.read_text()[-4000:]  # the worker is mid-task
        os.kill(worker, signal.SIGKILL)  # at once: before its SMTP client gives up (SMTP_TIMEOUT)
        assert platform.honcho is not None
        platform.honcho.wait(timeout=30)  # honcho stops the web instances when its worker dies
    finally:
        platform.smtp.hold = ""
        platform.smtp.release.set()
    assert platform.shell(DELIVERY).strip() == "[('RUNNING', 1)]"  # left running by the dead worker
    assert platform.shell(OUTBOX).strip() == "[('pending', 0)]"  # its transaction died with it
    assert not any("Interrompu en route" in message for message in platform.smtp.messages)
    platform.stop()
    platform.start()  # a new worker (and web instances)
    time.sleep(3)  # WORKER_LOST_AFTER_SECONDS: the killed worker is now known as lost
    platform.shell("from jobs.tasks import recover_tasks; recover_tasks.enqueue()")
    platform.wait_for(OUTBOX, "[('sent', 1)]")
    assert platform.shell(DELIVERY).strip() == "[('SUCCESSFUL', 2)]"  # the same task, run by a second worker
    platform.shell(
        "from jobs.tasks import flush_outbox, recover_tasks; recover_tasks.enqueue(); flush_outbox.enqueue()"
    )
    time.sleep(2)
    assert platform.shell(OUTBOX).strip() == "[('sent', 1)]"
    assert sum("Interrompu en route" in message for message in platform.smtp.messages) == 1


BALANCES = (
    "import json; from finance.models import Envelope; from finance.balances import balance; "
    "print(json.dumps({e.pk: str(balance(e.pk).available) for e in Envelope.objects.order_by('pk')}))"
)


def test_backup_and_restore_drill_gives_the_same_ledger_balances(platform, tmp_path):
    before = platform.shell(BALANCES).strip()
    assert before != "{}"
    dump = tmp_path / "territoires.dump"
    platform.run(f"pg_dump --format=custom --no-owner --dbname={shlex.quote(platform.env['DATABASE_URL'])} > {dump}")
    restored = platform.db + "_restored"
    recreate(restored)
    env = {**platform.env, "DATABASE_URL": database_url(restored)}
    platform.run(f"pg_restore --no-owner --dbname={shlex.quote(env['DATABASE_URL'])} {dump}", env=env)
    platform.run("python manage.py check --database default", env=env)
    after = platform.run(f"python manage.py shell -v0 -c {shlex.quote(BALANCES)}", env=env).strip()
    assert after == before
