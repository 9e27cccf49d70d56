"""How long from a vendor's submission to a stored score, next to what Celery itself costs?

Run from the project root: ``python bench/bench_submit_to_score.py [--runs 30]``.

On a throwaway PostgreSQL database (created, migrated and dropped by this script) and a
Redis of its own (a private ``redis-server``, or ``--redis URL``), with a real ``celery
worker`` subprocess, it times:

- submit to score: from the commit of ``assessment_submit`` (500 questions answered) to the
  score run being visible in PostgreSQL: publishing after commit, the queue, the worker
  loading the answers, scoring with the six built-in stress tests, storing the run;
- the floor, a no-op task's round trip (``ping.delay().get()``): broker, worker and result
  store, what any task costs before it does anything;
- the engine alone on the same answers, in this process, without and with the scenarios
  (``score_assessment`` through bench/bench_engine.py's own helpers, not a copy of them).

Prints the medians and writes ``bench/results/submit_to_score.json``. The aim is a submit
to score median within ``AIM_OVER_FLOOR_MS`` of the no-op round trip; the exit status is 1
when it is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "submit_to_score.json"
AIM_OVER_FLOOR_MS = 50.0
WARM_UP = 3  # submissions scored before timing: the worker compiles and caches the template


def load_module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


# --- Services of our own ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


@contextlib.contextmanager
def private_redis(workdir: Path):
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not on PATH; install it or pass --redis URL")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=(workdir / "redis.log").open("w"),
                               stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        def answers() -> bool:
            try:
                return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
            except redis.RedisError:
                return False

        wait_until(answers, 10, "the private redis-server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def throwaway_database(server: str):
    """A fresh PostgreSQL database on `server` (a postgres:// URL without a name)."""
    import psycopg

    name = f"diligence_bench_s2s_{os.getpid()}_{secrets.token_hex(3)}"
    admin = f"{server.rstrip('/')}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rstrip('/')}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure_django(workdir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "diligence.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DILIGENCE_VAR_DIR": str(workdir),
        "SECRET_KEY": "bench-only-secret-key-" + secrets.token_hex(8),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def start_worker(workdir: Path, env: dict[str, str]) -> subprocess.Popen:
    """One worker process with one pool process, as simple as a deployment gets: what is
    timed is latency, not throughput."""
    from diligence.celery import app

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "diligence", "worker", "--loglevel=WARNING",
         "--concurrency=1", "-Q", "celery", "--without-heartbeat", "--without-mingle",
         "--without-gossip", "-n", f"bench-{os.getpid()}@%h"],
        cwd=ROOT, env={**os.environ, **env}, stdout=(workdir / "worker.log").open("w"),
        stderr=subprocess.STDOUT)
    wait_until(lambda: process.poll() is None and bool(app.control.ping(timeout=0.5)), 60,
               "the worker to answer a ping")
    return process


# --- What is timed ---------------------------------------------------------------------------
def build_assessments(spec: dict, answers: dict, count: int) -> list:
    """`count` assessments of the 500-question template, every answer written, not submitted."""
    from questionnaires.assessments.models import Answer
    from questionnaires.assessments.services.lifecycle import assessment_issue
    from questionnaires.authoring.importers import load_native
    from questionnaires.authoring.models import Question
    from questionnaires.authoring.services.templates import template_create
    from questionnaires.core.models import Organization
    from questionnaires.ownership.models import Vendor

    organization = Organization.objects.create(name="Bench Labs", kind="buyer")
    vendor = Vendor.objects.create(organization=organization, name="LabelWorks",
                                   criticality="high", contact_name="Vera",
                                   contact_email="vera@labelworks.test")
    template = template_create(spec=load_native(json.dumps(spec)), organization=organization,
                               source_format="native")
    questions = dict(Question.objects.filter(template=template).values_list("key", "pk"))
    import datetime

    built = []
    for _ in range(count):
        assessment, _ = assessment_issue(
            organization=organization, vendor=vendor, template=template,
            due_date=datetime.date.today() + datetime.timedelta(days=30),
            respondents=[("vera@labelworks.test", "Vera")])
        # In bulk: the answers' path is benchmarked elsewhere (bench_answer_save.py).
        Answer.objects.bulk_create([
            Answer(assessment=assessment, question_id=questions[key], value=value,
                   answered_by="vera@labelworks.test")
            for key, value in answers.items() if key in questions], batch_size=500)
        built.append(assessment)
    return built


NOTIFY_ON_SCORE = """
CREATE FUNCTION bench_scored() RETURNS trigger AS $$
BEGIN PERFORM pg_notify('bench_scored', NEW.assessment_id::text); RETURN NEW; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER bench_scored AFTER INSERT ON questionnaires_scorerun
FOR EACH ROW EXECUTE FUNCTION bench_scored();
"""


def listen_for_scores(database_url: str):
    """A connection told of each score run as its transaction commits (a trigger of the
    throwaway database): waiting on it costs nothing, where polling for the row would
    take CPU from the worker on a small machine and add up to a poll interval of error."""
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(NOTIFY_ON_SCORE)
    listener = psycopg.connect(database_url, autocommit=True)
    listener.execute("LISTEN bench_scored")
    return listener


def submit_to_score(assessment, listener) -> dict[str, float]:
    """Seconds from the commit of the submission to the commit of its score run, with the
    submit call's own time and where the rest went (from the rows' own timestamps)."""
    from django.db import transaction

    from questionnaires.assessments.services.lifecycle import assessment_submit
    from questionnaires.scoring.models import ScoreRun, ScoringJob

    committed: list[tuple[float, float]] = []
    started = time.perf_counter()
    with transaction.atomic():
        # Registered first, so it runs first at commit: before the dispatch publishes.
        transaction.on_commit(lambda: committed.append((time.perf_counter(), time.time())))
        assessment_submit(assessment=assessment, by="vera@labelworks.test")
    returned = time.perf_counter()
    for note in listener.notifies(timeout=30):
        if note.payload == str(assessment.pk):
            break
    else:
        raise SystemExit(f"no score run 30 s after submitting {assessment.pk}: see worker.log")
    seen = time.perf_counter()
    commit_at, commit_wall = committed[0]
    run = ScoreRun.objects.get(assessment=assessment)
    job = ScoringJob.objects.get(assessment=assessment)
    return {"total": seen - commit_at, "submit_call": returned - started,
            "to_dispatch": job.dispatched_at.timestamp() - commit_wall,
            "in_worker": job.finished_at.timestamp() - job.dispatched_at.timestamp(),
            "stored_at": run.created_at.timestamp() - commit_wall}


def noop_round_trip() -> float:
    from questionnaires.core.tasks import ping

    started = time.perf_counter()
    assert ping.delay().get(timeout=30) == "pong"
    return time.perf_counter() - started


def engine_alone(spec: dict, answers: dict, evidence: dict, runs: int) -> tuple[float, float]:
    """(engine median, engine with the built-in scenarios median), in seconds."""
    bench_engine = load_module("bench_engine", ROOT / "bench" / "bench_engine.py")
    from questionnaires.conditions import compile_template
    from questionnaires.scoring import (
        compile_scoring,
        load_library_scenarios,
        run_scenarios,
        score_assessment,
    )

    template = compile_template(spec)
    plan = compile_scoring(template)
    scenarios = load_library_scenarios()
    verdict = {"status": "neutral", "findings": []}
    alone = bench_engine.median_seconds(
        lambda: score_assessment(plan, answers, evidence=evidence, neutrality=verdict), runs)

    def with_scenarios() -> None:
        baseline = score_assessment(plan, answers, evidence=evidence, neutrality=verdict)
        run_scenarios(plan, answers, evidence, lambda extra: verdict, scenarios, baseline=baseline)

    return alone, bench_engine.median_seconds(with_scenarios, runs)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get(
        "BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="the PostgreSQL server to make the throwaway database on (no database name)")
    parser.add_argument("--redis", help="a Redis URL to use instead of a private redis-server "
                                        "(its queue 'celery' must have no other consumer)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="diligence-bench-s2s-"))
    fixtures = load_module("scoring_fixtures", ROOT / "tests" / "scoring" / "conftest.py")
    spec, answers, evidence = fixtures.synthetic(args.questions)
    from questionnaires.conditions import compile_template

    # The generator leaves a few required questions blank: make those optional, so the
    # answers can be submitted as they are.
    blank = set(compile_template(spec).missing_required(answers))
    for section in spec["sections"]:
        for question in section["questions"]:
            question["required"] = question.get("required", False) and question["key"] not in blank
    with contextlib.ExitStack() as stack:
        redis_url = args.redis or stack.enter_context(private_redis(workdir))
        database_url = stack.enter_context(throwaway_database(args.postgres))
        print(f"throwaway database and broker ready; migrating ({workdir}) ...", flush=True)
        env = configure_django(workdir, database_url, redis_url)
        assessments = build_assessments(spec, answers, WARM_UP + args.runs)
        listener = stack.enter_context(listen_for_scores(database_url))
        worker = start_worker(workdir, env)
        stack.callback(stop, worker)
        for _ in range(WARM_UP):
            noop_round_trip()
        floor = [noop_round_trip() for _ in range(args.runs)]
        timings = [submit_to_score(assessment, listener) for assessment in assessments]
        measured = timings[WARM_UP:]
        engine, engine_scenarios = engine_alone(spec, answers, evidence, max(args.runs, 100))

    def median(part: str) -> float:
        return statistics.median(timing[part] for timing in measured)

    total, noop = median("total"), statistics.median(floor)
    over = total - noop
    met = over * 1000 <= AIM_OVER_FLOOR_MS
    totals = sorted(timing["total"] for timing in measured)
    result = {
        "questions": args.questions, "runs": args.runs, "warm_up": WARM_UP,
        "submit_to_score_median_ms": ms(total),
        "submit_to_score_p90_ms": ms(totals[int(0.9 * (len(totals) - 1))]),
        "commit_to_dispatch_median_ms": ms(median("to_dispatch")),
        "dispatch_to_job_done_median_ms": ms(median("in_worker")),
        "submit_call_median_ms": ms(median("submit_call")),
        "noop_round_trip_median_ms": ms(noop),
        "over_noop_ms": ms(over),
        "engine_median_ms": ms(engine),
        "engine_with_builtin_scenarios_median_ms": ms(engine_scenarios),
        "aim_over_noop_ms": AIM_OVER_FLOOR_MS, "met": met,
        "broker": "private redis-server" if args.redis is None else "given",
        "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"submit (commit) to stored score, {args.questions} questions: median {ms(total)} ms "
          f"over {args.runs} (p90 {result['submit_to_score_p90_ms']} ms)")
    print(f"  commit to published:                median {result['commit_to_dispatch_median_ms']} ms")
    print(f"  published to job done (the worker): median {result['dispatch_to_job_done_median_ms']} ms")
    print(f"  the submit call itself (checks, digest, commit, publish): median "
          f"{result['submit_call_median_ms']} ms")
    print(f"no-op task round trip (floor):        median {ms(noop)} ms")
    print(f"engine alone, same answers:           median {ms(engine)} ms; with the 6 built-in "
          f"scenarios {ms(engine_scenarios)} ms")
    print(f"over the floor: {ms(over)} ms (aim within {AIM_OVER_FLOOR_MS:g} ms): "
          f"{'met' if met else 'MISSED'}; load average {result['load_average_1m']} on "
          f"{os.cpu_count()} CPUs; written to {RESULTS.relative_to(ROOT)}")
    return 0 if met else 1


def stop(process: subprocess.Popen) -> None:
    from django.db import connections

    connections.close_all()  # the database is dropped next
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
