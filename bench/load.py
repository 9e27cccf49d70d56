"""`make load`: 50 vendors autosaving at once through gunicorn, against a bare-write floor.

1. Recreates a throwaway PostgreSQL database (`diligence_load`), migrates it and seeds one
   buyer, N vendors (default 50), a native template of ~30 yes_no / number / short_text
   questions and one assessment per vendor, each with its own invitation token and one
   (empty, version 1) answer row per question.
2. Serves the product with gunicorn on 127.0.0.1:<free port> (gthread, DEBUG off, no Redis:
   answer saves enqueue nothing) and runs N concurrent vendors - one thread and one
   keep-alive connection each - for --seconds: each PUTs its own assessment's answers in
   turn with the version the previous save returned, timing every request.
3. Serves bench/load_floor.py (one bare DRF `UPDATE ... version = version + 1`, no auth)
   with the same gunicorn settings on the same database and drives it the same way.
4. Checks the database after each phase: for every answer row, the version moved by exactly
   the number of 200 responses for it, and (real saves) one AnswerRevision per save - no
   lost and no duplicated write. Prints p50/p99 of one save, saves/s, the floor's writes/s
   and their ratio; writes bench/results/load.json; stops both servers and drops the
   database. Exits 1 on any 5xx, transport error, or lost/duplicated answer.

Only 127.0.0.1 is contacted; every loop is bounded in count and in time.
Usage: python bench/load.py [--seconds 60] [--vendors 50] [--workers N] [--threads N]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "load.json"
PG = "postgres://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"
MAX_SECONDS = 600                 # --seconds is capped here
MAX_REQUESTS_PER_CLIENT = 200_000  # a second bound on every client loop
REQUEST_TIMEOUT = 15
HEALTH_WAIT = 60


# --- The database ---------------------------------------------------------------------------
def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def db_recreate(name: str) -> None:
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')


def db_drop(name: str) -> None:
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(db_url: str, secret_key: str, var_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "diligence.settings",
        "DATABASE_URL": db_url,
        "SECRET_KEY": secret_key,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DILIGENCE_VAR_DIR": var_dir,
        "PYTHONUNBUFFERED": "1",
    })
    return env


# --- Seeding --------------------------------------------------------------------------------
def template_text(questions: int) -> str:
    """A native spec of `questions` questions in three sections, no conditions."""
    kinds = ["yes_no", "number", "short_text"]
    sections = []
    per_section = (questions + 2) // 3
    index = 0
    for s in range(3):
        items = []
        for _ in range(per_section):
            if index >= questions:
                break
            kind = kinds[index % 3]
            q = {"key": f"q{index:02d}", "kind": kind, "required": True,
                 "text": f"Load-test question {index} ({kind})?"}
            if kind == "number":
                q.update({"min": 0, "max": 100000,
                          "bands": [{"min": 0, "max": 100, "score": 1.0},
                                    {"min": 100, "max": None, "score": 0.3}]})
            items.append(q)
            index += 1
        sections.append({"key": f"s{s}", "title": f"Section {s}", "questions": items})
    return json.dumps({"format": "diligence/v1", "key": "load-test", "name": "Load test",
                       "sections": sections})


def seed(vendors: int, questions: int) -> list[dict]:
    """One buyer, `vendors` vendors and assessments; returns what each client needs."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from questionnaires.assessments.models import Answer
    from questionnaires.assessments.services.lifecycle import assessment_issue
    from questionnaires.authoring.importers.native import load_native
    from questionnaires.authoring.services.templates import template_create
    from questionnaires.core.models import Membership, Organization
    from questionnaires.ownership.models import Vendor

    with transaction.atomic():
        org = Organization.objects.create(name="Load Buyer", kind="buyer")
        user = User.objects.create_user("load", "load@example.test", secrets.token_urlsafe(16))
        Membership.objects.create(user=user, organization=org, role="admin")
        template = template_create(spec=load_native(template_text(questions)),
                                   organization=org, source_format="native")
    rows = list(template.questions.order_by("position"))
    due = datetime.date.today() + datetime.timedelta(days=30)
    jobs = []
    for v in range(vendors):
        vendor = Vendor.objects.create(organization=org, name=f"Load Vendor {v:02d}")
        assessment, issued = assessment_issue(
            organization=org, vendor=vendor, template=template, due_date=due,
            respondents=[(f"vendor{v:02d}@load.test", f"Vendor {v}")], by=user)
        answers = Answer.objects.bulk_create(
            [Answer(assessment=assessment, question=q, value=None, answered_by="seed")
             for q in rows])
        jobs.append({"token": issued[0].token,
                     "items": [{"key": q.key, "kind": q.kind, "pk": str(a.pk), "version": 1}
                               for q, a in zip(rows, answers, strict=True)]})
    return jobs


def snapshot() -> dict[str, tuple[int, int]]:
    """answer id -> (version, number of revisions)."""
    from django.db.models import Count

    from questionnaires.assessments.models import Answer

    return {str(pk): (version, revisions) for pk, version, revisions in
            Answer.objects.annotate(n=Count("revisions")).values_list("pk", "version", "n")}


def compare(before: dict, after: dict, successes: Counter, *, revisions: bool) -> dict:
    lost = duplicated = rev_mismatch = 0
    examples = []
    for pk, (version, revs) in after.items():
        moved = version - before[pk][0]
        expected = successes.get(pk, 0)
        if moved < expected:
            lost += expected - moved
        elif moved > expected:
            duplicated += moved - expected
        if revisions and revs - before[pk][1] != expected:
            rev_mismatch += 1
        if moved != expected and len(examples) < 5:
            examples.append({"answer": pk, "version_moved": moved, "successful_saves": expected})
    return {"answer_rows": len(after), "successful_writes": sum(successes.values()),
            "version_increments": sum(a[0] - before[pk][0] for pk, a in after.items()),
            "lost": lost, "duplicated": duplicated,
            "revision_mismatches": rev_mismatch if revisions else None,
            "revisions_added": (sum(a[1] - before[pk][1] for pk, a in after.items())
                                if revisions else None),
            "examples": examples}


# --- gunicorn -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_start(app: str, port: int, env: dict, workers: int, threads: int,
                   log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:diligence.gunicorn",
           "--bind", f"{HOST}:{port}", "--workers", str(workers), "--threads", str(threads),
           "--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "5",
           "--pythonpath", str(BENCH), app]
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)
    proc.log_handle = handle
    return proc


def gunicorn_wait(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log}:\n"
                             + log.read_text()[-3000:])
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=3)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"gunicorn on port {port} not healthy after {HEALTH_WAIT}s; see {log}")


def gunicorn_stop(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the master and workers
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
    proc.log_handle.close()


# --- The clients ----------------------------------------------------------------------------
def value_for(kind: str, n: int):
    if kind == "yes_no":
        return "yes" if n % 2 else "no"
    if kind == "number":
        return (n * 37) % 500
    return f"answer {n} from the load test"


class Client(threading.Thread):
    """One vendor: one keep-alive connection, sequential requests until the deadline."""

    def __init__(self, port: int, job: dict, mode: str, start: threading.Barrier,
                 seconds: float, warmup: float):
        super().__init__(daemon=True)
        self.port, self.job, self.mode, self.start_barrier = port, job, mode, start
        self.seconds, self.warmup = seconds, warmup
        self.latencies: list[float] = []      # of 200 responses started after the warm-up
        self.measured_ok = 0
        self.statuses: Counter = Counter()
        self.successes: Counter = Counter()   # answer id -> 200 responses
        self.anomalies: list[str] = []
        self.resyncs = 0
        self.finished_at = 0.0

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)

    def _request(self, conn, method, path, body, headers):
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    def run(self) -> None:
        items = self.job["items"]
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.mode == "api":
            headers["Authorization"] = f"Invite {self.job['token']}"
        conn = self._connect()
        try:
            self.start_barrier.wait(timeout=60)
            # Warm-up requests (every worker's first requests import and compile) are checked
            # like the others but left out of the latencies and the rate.
            measure_from = time.monotonic() + self.warmup
            deadline = measure_from + self.seconds
            n = 0
            while n < MAX_REQUESTS_PER_CLIENT and time.monotonic() < deadline:
                item = items[n % len(items)]
                value = value_for(item["kind"], n)
                if self.mode == "api":
                    path = f"/api/v1/respond/answers/{item['key']}/"
                    body = json.dumps({"value": value, "comment": f"load {n}",
                                       "version": item["version"]})
                else:
                    path = f"/floor/{item['pk']}/"
                    body = json.dumps({"value": value})
                measured = time.monotonic() >= measure_from
                started = time.perf_counter()
                try:
                    status, data = self._request(conn, "PUT", path, body, headers)
                except (OSError, http.client.HTTPException) as exc:
                    status, data = 0, b""
                    self.anomalies.append(f"transport error on {path}: {exc!r}")
                    conn.close()
                    conn = self._connect()
                elapsed = time.perf_counter() - started
                self.statuses[status] += 1
                n += 1
                if status == 200:
                    if measured:
                        self.latencies.append(elapsed)
                        self.measured_ok += 1
                    self.successes[item["pk"]] += 1
                    if self.mode == "api":
                        version = json.loads(data)["version"]
                        if version != item["version"] + 1:
                            self.anomalies.append(f"{item['key']}: sent version "
                                                  f"{item['version']}, got back {version}")
                        item["version"] = version
                elif status == 409 and self.mode == "api":
                    conn = self._resync(conn, headers)
            self.finished_at = time.monotonic()
        finally:
            conn.close()

    def _resync(self, conn, headers):
        """A 409 means our idea of a version is wrong (it should never happen: one client
        per assessment); read the questionnaire once and carry on."""
        self.resyncs += 1
        try:
            status, data = self._request(conn, "GET", "/api/v1/respond/", None, headers)
        except (OSError, http.client.HTTPException):
            conn.close()
            return self._connect()
        if status == 200:
            answers = json.loads(data)["answers"]
            for item in self.job["items"]:
                if item["key"] in answers:
                    item["version"] = answers[item["key"]]["version"]
        return conn


def run_phase(port: int, jobs: list[dict], mode: str, seconds: float, warmup: float) -> dict:
    barrier = threading.Barrier(len(jobs) + 1)
    clients = [Client(port, job, mode, barrier, seconds, warmup) for job in jobs]
    for client in clients:
        client.start()
    barrier.wait(timeout=60)
    started = time.monotonic() + warmup
    cpu_started = time.process_time()
    for client in clients:
        client.join(timeout=warmup + seconds + REQUEST_TIMEOUT + 30)
    stuck = sum(client.is_alive() for client in clients)
    elapsed = max([c.finished_at for c in clients if c.finished_at] or [time.monotonic()]) - started
    latencies = sorted(x for c in clients for x in c.latencies)
    statuses = sum((c.statuses for c in clients), Counter())
    successes = sum((c.successes for c in clients), Counter())
    anomalies = [a for c in clients for a in c.anomalies]
    ok = statuses.get(200, 0)
    measured_ok = sum(c.measured_ok for c in clients)
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else None
    return {
        "mode": mode, "clients": len(jobs), "warmup_seconds": warmup,
        "seconds": round(elapsed, 3),
        "requests": sum(statuses.values()), "ok": ok, "measured_ok": measured_ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "transport_errors": statuses.get(0, 0),
        "writes_per_second": round(measured_ok / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(q[49] * 1000, 2) if q else None,
        "p90_ms": round(q[89] * 1000, 2) if q else None,
        "p99_ms": round(q[98] * 1000, 2) if q else None,
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
        "resyncs_after_409": sum(c.resyncs for c in clients),
        "client_cpu_seconds": round(time.process_time() - cpu_started, 1),
        "stuck_clients": stuck,
        "anomalies": anomalies[:20], "anomaly_count": len(anomalies),
        "_successes": successes,
    }


# --- Main -----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds of requests before the timed window (checked, not timed)")
    cores = os.cpu_count() or 1
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--db-name", default="diligence_load")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    vendors = min(max(args.vendors, 1), 500)
    questions = min(max(args.questions, 3), 300)
    warmup = min(max(args.warmup, 0.0), 60.0)
    if not args.db_name.replace("_", "").isalnum():
        raise SystemExit("--db-name: letters, digits and underscores only")

    db_url = f"{PG}/{args.db_name}"
    workdir = Path(tempfile.mkdtemp(prefix="diligence-load-"))
    env = server_env(db_url, secrets.token_urlsafe(50), str(workdir / "var"))
    api = floor = None
    result: dict = {}
    try:
        print(f"database {args.db_name}: create and migrate", flush=True)
        db_recreate(args.db_name)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                       env=env, check=True, timeout=600)

        # This process talks to the same database for seeding and the checks.
        os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                                "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                                                "SECURE_COOKIES", "EMAIL_BACKEND",
                                                "DILIGENCE_VAR_DIR", "SECURE_HSTS_SECONDS")})
        os.environ.pop("REDIS_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connections

        started = time.monotonic()
        jobs = seed(vendors, questions)
        connections.close_all()
        print(f"seeded {vendors} assessments x {questions} questions "
              f"in {time.monotonic() - started:.1f}s", flush=True)

        print(f"gunicorn: {args.workers} workers x {args.threads} threads (gthread), "
              f"{vendors} clients, {seconds:g}s per phase", flush=True)
        api_port = free_port()
        api = gunicorn_start("diligence.wsgi:application", api_port, env, args.workers,
                             args.threads, workdir / "gunicorn-api.log")
        gunicorn_wait(api, api_port, workdir / "gunicorn-api.log")
        before = snapshot()
        connections.close_all()
        print("phase 1: answer saves through the API ...", flush=True)
        api_stats = run_phase(api_port, jobs, "api", seconds, warmup)
        gunicorn_stop(api)
        api = None
        after_api = snapshot()
        api_check = compare(before, after_api, api_stats.pop("_successes"), revisions=True)
        connections.close_all()

        floor_port = free_port()
        floor = gunicorn_start("load_floor:application", floor_port, env, args.workers,
                               args.threads, workdir / "gunicorn-floor.log")
        gunicorn_wait(floor, floor_port, workdir / "gunicorn-floor.log")
        print("phase 2: the floor, a bare DRF UPDATE ...", flush=True)
        floor_stats = run_phase(floor_port, jobs, "floor", seconds, warmup)
        gunicorn_stop(floor)
        floor = None
        after_floor = snapshot()
        floor_check = compare(after_api, after_floor, floor_stats.pop("_successes"),
                              revisions=False)
        connections.close_all()

        ratio = (api_stats["writes_per_second"] / floor_stats["writes_per_second"]
                 if floor_stats["writes_per_second"] else 0.0)
        failures = []
        for name, stats, check in (("api", api_stats, api_check),
                                   ("floor", floor_stats, floor_check)):
            if stats["server_errors"]:
                failures.append(f"{name}: {stats['server_errors']} responses were 5xx")
            if stats["transport_errors"]:
                failures.append(f"{name}: {stats['transport_errors']} transport errors")
            if stats["stuck_clients"]:
                failures.append(f"{name}: {stats['stuck_clients']} clients did not finish")
            if check["lost"] or check["duplicated"]:
                failures.append(f"{name}: {check['lost']} lost and {check['duplicated']} "
                                "duplicated writes")
        if api_check["revision_mismatches"]:
            failures.append(f"api: {api_check['revision_mismatches']} answers whose revision "
                            "count differs from their successful saves")
        if api_stats["anomaly_count"]:
            failures.append(f"api: {api_stats['anomaly_count']} responses with an unexpected "
                            "version")
        result = {
            "what": "concurrent vendors autosaving through gunicorn vs a bare DRF write floor",
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": cores, "python": platform.python_version(),
                        "platform": platform.platform()},
            "config": {"vendors": vendors, "questions": questions, "seconds": seconds,
                       "warmup_seconds": warmup,
                       "gunicorn_workers": args.workers, "gunicorn_threads": args.threads,
                       "worker_class": "gthread", "debug": False, "redis": False},
            "api": api_stats, "api_check": api_check,
            "floor": floor_stats, "floor_check": floor_check,
            "ratio_api_to_floor": round(ratio, 3),
            "ok": not failures, "failures": failures,
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")

        print(f"\nanswer save (PUT /api/v1/respond/answers/<key>/), {vendors} vendors, "
              f"{api_stats['seconds']:.0f}s:")
        print(f"  {api_stats['measured_ok']} saves, {api_stats['writes_per_second']:.1f} saves/s; "
              f"p50 {api_stats['p50_ms']} ms, p99 {api_stats['p99_ms']} ms; "
              f"statuses {api_stats['statuses']}")
        print(f"floor (bare DRF UPDATE): {floor_stats['measured_ok']} writes, "
              f"{floor_stats['writes_per_second']:.1f} writes/s; p50 {floor_stats['p50_ms']} ms, "
              f"p99 {floor_stats['p99_ms']} ms; statuses {floor_stats['statuses']}")
        print(f"ratio saves/s : floor writes/s = {ratio:.2f} (aim >= 0.5)")
        print(f"database check: api lost {api_check['lost']}, duplicated "
              f"{api_check['duplicated']}, revision mismatches "
              f"{api_check['revision_mismatches']}; floor lost {floor_check['lost']}, "
              f"duplicated {floor_check['duplicated']}")
        print(f"-> {RESULTS.relative_to(ROOT)}")
        for failure in failures:
            print(f"FAIL: {failure}", file=sys.stderr)
        return 1 if failures else 0
    finally:
        gunicorn_stop(api)
        gunicorn_stop(floor)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - django may never have been set up
            pass
        try:
            db_drop(args.db_name)
        except Exception as exc:  # noqa: BLE001 - report, but let the real error surface
            print(f"could not drop {args.db_name}: {exc}", file=sys.stderr)
        if result.get("ok"):
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"gunicorn logs kept in {workdir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
