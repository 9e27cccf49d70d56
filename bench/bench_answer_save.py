"""How long one autosave takes through the real API, against the floor of a bare UPDATE.

Runs on PostgreSQL in a throwaway database (`diligence_bench`, created and dropped with
Django's test-runner utilities), issues the built-in questionnaire to a vendor, then times:

- 200 answer saves through the real API: `PUT /api/v1/respond/answers/{key}/` with
  `Authorization: Invite <token>` via DRF's APIClient (authentication, the invite-limit
  check, optimistic locking with its row locks, the revision row, progress and visibility
  from the compiled template, the audit event);
- as a floor, in the same run and interleaved with them, 200 bare writes of the same
  answer row with `Answer.objects.filter(pk=...).update(...)`.

Prints both medians and their ratio and writes bench/results/answer_save.json.
Usage: python bench/bench_answer_save.py
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "answer_save.json"
SAVES = 200
WARMUP = 20  # first saves fill the compiled-template cache and the connection; not counted

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/diligence")


def main() -> int:
    import django
    from django.conf import settings

    django.setup()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        print("bench_answer_save needs PostgreSQL (set DATABASE_URL)", file=sys.stderr)
        return 1
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    connections["default"].settings_dict["TEST"]["NAME"] = "diligence_bench"

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        result = run()
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"API PUT (Invite auth), median of {SAVES}: {result['api_put_median_ms']:.2f} ms "
          f"(p95 {result['api_put_p95_ms']:.2f} ms)")
    print(f"bare UPDATE of the same row, median of {SAVES}: "
          f"{result['bare_update_median_ms']:.3f} ms")
    print(f"ratio: {result['ratio']:.1f}x   -> {RESULTS.relative_to(ROOT)}")
    return 0


def run() -> dict:
    from django.db import connection
    from django.db.models.functions import Now
    from rest_framework.test import APIClient

    from questionnaires.assessments.models import Answer
    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset
    from questionnaires.assessments.services.lifecycle import assessment_issue
    from questionnaires.authoring.importers.native import load_native
    from questionnaires.authoring.services.templates import template_create
    from questionnaires.core.models import Membership, Organization
    from questionnaires.ownership.models import Vendor

    spec = load_native((ROOT / "questionnaires/library/ai-labeling-neutrality.yaml").read_text())
    organization = Organization.objects.create(name="Bench Buyer", kind="buyer")
    from django.contrib.auth.models import User

    user = User.objects.create_user("bench", "bench@example.test", "x")
    Membership.objects.create(user=user, organization=organization, role="admin")
    vendor = Vendor.objects.create(organization=organization, name="Bench Vendor")
    template = template_create(spec=spec, organization=organization, source_format="native")
    assessment, issued = assessment_issue(
        organization=organization, vendor=vendor, template=template,
        due_date=datetime.date.today() + datetime.timedelta(days=30),
        respondents=[("vendor@bench.test", "Vendor")], by=user)
    invite_bad_tries_reset(address="127.0.0.1")
    question = next(q for q in template.questions.order_by("position") if q.kind == "yes_no")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Invite {issued[0].token}")
    url = f"/api/v1/respond/answers/{question.key}/"
    version, timings, floor = 0, [], []
    answer_pk = None
    # Interleaved, one API save then one bare write, so that load from anything else on the
    # machine falls on both series alike and the ratio stays meaningful.
    for index in range(WARMUP + SAVES):
        value = "yes" if index % 2 else "no"  # alternate, so visibility really changes
        started = time.perf_counter()
        response = client.put(url, {"value": value, "version": version}, format="json")
        api_elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"save {index} failed: {response.status_code} {response.content!r}")
        version = response.json()["version"]
        if answer_pk is None:
            answer_pk = Answer.objects.get(assessment=assessment, question=question).pk
        # The floor: the same row, one UPDATE in autocommit (the version is left alone so
        # the API's optimistic lock still sees the version it returned).
        started = time.perf_counter()
        Answer.objects.filter(pk=answer_pk).update(value=value, updated_at=Now())
        bare_elapsed = time.perf_counter() - started
        if index >= WARMUP:
            timings.append(api_elapsed)
            floor.append(bare_elapsed)

    api_median = statistics.median(timings) * 1000
    floor_median = statistics.median(floor) * 1000
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "saves": SAVES,
        "warmup": WARMUP,
        "question_count": template.questions.count(),
        "api_put_median_ms": round(api_median, 3),
        "api_put_p95_ms": round(statistics.quantiles(timings, n=20)[-1] * 1000, 3),
        "api_put_mean_ms": round(statistics.fmean(timings) * 1000, 3),
        "bare_update_median_ms": round(floor_median, 4),
        "ratio": round(api_median / floor_median, 2),
        "postgresql": server_version,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    sys.exit(main())
