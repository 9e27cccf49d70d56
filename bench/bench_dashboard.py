"""How fast is the portfolio dashboard at 10,000 vendors, next to the barest possible read?

Run from the project root: ``python bench/bench_dashboard.py [--vendors 10000] [--requests 30]``.

It creates a throwaway PostgreSQL database on the local server (``--server``), migrates it,
and seeds one buyer with ``--vendors`` vendors, each with two assessments (an approved one
and a newer one in a varied status) and their score runs, through
``tests/support/assessments.py`` (the shape the workspace tests check, only bigger). Then,
in the same process and database, it times:

- the floor: ``list(Vendor.objects.filter(organization=org).values_list("name")[:50])``,
  the least any page listing 50 vendors could do;
- the dashboard view through Django's test client (middleware, session, every query,
  template rendering) for several URLs: the default page, sorted by tier, filtered by tier,
  a search, the htmx fragment, and the CSV export of every vendor.

It prints the median of each over ``--requests`` runs (after warm-up runs), its ratio to
the floor and its query count, writes ``bench/results/dashboard.json`` and drops the
database. The exit status is 1 when the default page's median exceeds ``--aim-ms``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "dashboard.json"
PAGE = 50
URLS = {
    "default page (by name)": "/",
    "sorted by tier": "/?sort=tier",
    "filtered: tier high": "/?tier=high",
    "search": "/?q=vendor%2001",
    "htmx fragment, page 7, by score": ("/?sort=score&page=7", {"HTTP_HX_REQUEST": "true"}),
}


def configure_django(database: str, server: str, workdir: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"{server}/{database}",
        "DILIGENCE_VAR_DIR": str(workdir),
        "REDIS_URL": "",  # no broker: nothing here queues work
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_builders() -> Any:
    spec = importlib.util.spec_from_file_location("workspace_builders",
                                                  ROOT / "tests" / "support" / "assessments.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def jit_off(sender, connection, **kwargs) -> None:
    """PostgreSQL's JIT compiles a plan once its estimated cost is high, which a sort over
    every vendor's score reaches: seconds of compiling for a query that runs in a tenth of
    one. Off here, as recommended for the deployment (DATABASES OPTIONS: -c jit=off)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")


def seed(vendors: int):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from questionnaires.core.models import Membership, Organization

    call_command("migrate", verbosity=0)
    builders = load_builders()
    organization = Organization.objects.create(name="Bench Labs", kind="buyer")
    user = User.objects.create_user("bench", "bench@example.test", "bench password 42")
    membership = Membership.objects.create(user=user, organization=organization, role="admin")
    template = builders.template_for(organization)
    started = time.perf_counter()
    builders.bulk_portfolio(organization=organization, template=template, count=vendors,
                            prefix="Vendor")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return membership, time.perf_counter() - started


def timed(run, repeats: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def measure(membership, repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from questionnaires.ownership.models import Vendor

    organization = membership.organization
    floor = timed(lambda: list(Vendor.objects.filter(organization=organization)
                               .values_list("name")[:PAGE]), repeats)
    client = Client()
    client.force_login(membership.user)
    results: dict[str, Any] = {"floor_ms": round(statistics.median(floor) * 1000, 3), "pages": {}}

    def get(url, headers):
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)

    targets = dict(URLS)
    targets["CSV export, every vendor"] = "/portfolio/export.csv"
    for label, target in targets.items():
        url, headers = target if isinstance(target, tuple) else (target, {})
        with CaptureQueriesContext(connection) as captured:
            get(url, headers)
        queries = len(captured)  # now: later requests reset the log this reads
        runs = timed(lambda url=url, headers=headers: get(url, headers),
                     max(5, repeats // 5) if "export" in label else repeats)
        median = statistics.median(runs)
        results["pages"][label] = {
            "url": url, "median_ms": round(median * 1000, 2),
            "p90_ms": round(sorted(runs)[int(len(runs) * 0.9) - 1] * 1000, 2),
            "ratio_to_floor": round(median / statistics.median(floor), 1),
            "queries": queries}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--jit", choices=["off", "server"], default="off",
                        help="turn PostgreSQL's JIT off (the recommended setting) or keep "
                             "the server's default")
    parser.add_argument("--aim-ms", type=float, default=250.0,
                        help="the default page's median must stay under this")
    args = parser.parse_args()
    name = f"diligence_bench_{uuid.uuid4().hex[:8]}"
    create_database(args.server, name)
    try:
        with tempfile.TemporaryDirectory(prefix="diligence-bench-") as workdir:
            configure_django(name, args.server, Path(workdir))
            if args.jit == "off":
                from django.db.backends.signals import connection_created

                connection_created.connect(jit_off)
            membership, seconds = seed(args.vendors)
            results = measure(membership, args.requests)
            from django.db import connections

            connections.close_all()
    finally:
        drop_database(args.server, name)
    results.update(vendors=args.vendors, requests=args.requests, page_size=PAGE, jit=args.jit,
                   seed_seconds=round(seconds, 1), python=platform.python_version(),
                   machine=platform.machine(), cpus=os.cpu_count(),
                   load_average=round(os.getloadavg()[0], 2))
    print(f"{args.vendors} vendors, {args.requests} requests each, JIT {args.jit}; floor "
          f"(bare 50 names): {results['floor_ms']:.2f} ms; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':<34} {'median ms':>10} {'p90 ms':>9} {'x floor':>8} {'queries':>8}")
    for label, row in results["pages"].items():
        print(f"{label:<34} {row['median_ms']:>10.1f} {row['p90_ms']:>9.1f} "
              f"{row['ratio_to_floor']:>8.1f} {row['queries']:>8}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    default = results["pages"]["default page (by name)"]["median_ms"]
    if default > args.aim_ms:
        print(f"MISSED: the default page took {default:.1f} ms (aim: under {args.aim_ms} ms)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
