"""How fast and how big is a PDF report, next to warm headless Chromium printing the same HTML?

Run from the project root: ``python bench/bench_reports.py [--sizes 50 200 500 2000]``.

For each size it builds, in a throwaway SQLite database, a generated questionnaire of that
many questions (the shape the report tests check, from ``tests/support/reports.py``),
answers it, scores it with the real services and gathers the report's context and HTML
exactly as the worker does. Then it times, on the same HTML:

- WeasyPrint through the production path (``render_isolated``: a forked child with the
  parsed stylesheet and warm fonts, as in the worker);
- Chromium through Playwright: launched once, warmed up once, then ``page.set_content`` +
  ``page.pdf`` with the same stylesheet inlined.

It prints a table (n, WeasyPrint s, Chromium s, ratio), the linearity t(2000)/t(200) and
the peak memory of the WeasyPrint render at the largest size, measured in a subprocess by
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, and writes ``bench/results/reports.json``.
Aims: 200 questions within 2.5x Chromium, 2000 within 11x of 200, peak under 400 MB. The
exit status is 1 when an aim is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "reports.json"
AIM_RATIO_200 = 2.5
AIM_LINEARITY = 11.0
AIM_PEAK_MB = 400.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def configure_django(workdir: Path) -> None:
    """Settings for a throwaway run: SQLite in `workdir`, no broker (tasks run eagerly),
    mail kept in memory. Nothing touches the project's own database or Redis."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "diligence.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DILIGENCE_VAR_DIR": str(workdir),
        "SECRET_KEY": "bench-only-secret-key",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    })
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_builders() -> Any:
    """The report tests' builders, by path: the bench times what the tests check."""
    spec = importlib.util.spec_from_file_location("report_builders",
                                                  ROOT / "tests" / "support" / "reports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build_html(sizes: list[int]) -> dict[int, str]:
    """The report HTML for each size, gathered from the database as the worker does."""
    from django.core.management import call_command

    from questionnaires.core.models import Organization
    from questionnaires.ownership.models import Vendor
    from questionnaires.reports.context import report_context
    from questionnaires.reports.models import Report
    from questionnaires.reports.render import report_html

    builders = load_builders()
    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Acme Labs", kind="buyer")
    vendor = Vendor.objects.create(organization=organization, name="LabelWorks",
                                   criticality="critical")
    builders.competitor_stake(organization=organization, vendor=vendor)
    pages: dict[int, str] = {}
    for size in sizes:
        spec = builders.generated_spec(size)
        built = builders.issue_answer_score(organization=organization, vendor=vendor, spec=spec,
                                            answers=builders.generated_answers(spec), bulk=True)
        report = Report.objects.create(organization=organization, assessment=built.assessment,
                                       score_run=built.score_run)
        pages[size] = report_html(report_context(report))
    return pages


def time_weasyprint(html: str, runs: int) -> tuple[float, float, int, float]:
    """(median wall seconds, median CPU seconds of the render child, pages, its peak RSS
    in MB) on the production path. CPU time is reported too because wall time on a shared
    machine moves with whatever else runs; the render's own CPU time does not."""
    from io import BytesIO

    from pypdf import PdfReader

    from questionnaires.reports.render import render_isolated, warm_up

    warm_up()
    results = [render_isolated(html, timeout=1800) for _ in range(runs)]
    pages = len(PdfReader(BytesIO(results[0].pdf)).pages)
    return (statistics.median(result.seconds for result in results),
            statistics.median(result.cpu_seconds for result in results), pages,
            max(result.peak_rss_mb for result in results))


class Chromium:
    """One headless Chromium for the whole run, warmed up once, printing to PDF."""

    def __init__(self, css: str):
        from playwright.sync_api import sync_playwright

        executable = shutil.which("chromium")
        if executable is None:
            raise SystemExit("chromium is not installed (apt-get install chromium)")
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=executable,
                                                         args=CHROMIUM_ARGS)
        self._page = self._browser.new_page()
        self._style = f"<style>{css}</style>"

    def print(self, html: str) -> tuple[float, int]:
        """(seconds, pages) of set_content + pdf, with the report's stylesheet inlined."""
        from io import BytesIO

        from pypdf import PdfReader

        document = html.replace("</head>", self._style + "</head>", 1)
        start = time.perf_counter()
        self._page.set_content(document, wait_until="load")
        pdf = self._page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        seconds = time.perf_counter() - start
        return seconds, len(PdfReader(BytesIO(pdf)).pages)

    def time(self, html: str, runs: int) -> tuple[float, int]:
        results = [self.print(html) for _ in range(runs)]
        return statistics.median(seconds for seconds, _ in results), results[0][1]

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()


def start_memory_probe() -> subprocess.Popen:
    """The process that will render the largest report once and report its peak RSS.

    Started before this process has built anything: a child's ru_maxrss starts from its
    parent's RSS at fork and survives exec, so a probe started later would report this
    process's size instead of the render's. It waits for the HTML file's path on stdin.
    """
    return subprocess.Popen([sys.executable, __file__, "--memory-probe"], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def peak_memory_mb(probe: subprocess.Popen, html_path: Path) -> dict[str, float]:
    output, _ = probe.communicate(f"{html_path}\n", timeout=1800)
    if probe.returncode:
        raise SystemExit(f"the memory probe failed with status {probe.returncode}")
    return json.loads(output.strip().splitlines()[-1])


def memory_probe() -> None:
    """In the probe: import, note the RSS, render the file named on stdin, print the peak."""
    import resource

    configure_django(Path(tempfile.mkdtemp(prefix="diligence-bench-probe-")))
    from questionnaires.reports.render import pdf_bytes, stylesheet

    stylesheet()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    html = Path(sys.stdin.readline().strip()).read_text(encoding="utf-8")
    pdf_bytes(html)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"before_render_mb": round(before, 1), "peak_mb": round(peak, 1)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500, 2000])
    parser.add_argument("--runs", type=int, default=3,
                        help="timed runs per size up to 500 questions (1 above)")
    parser.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        memory_probe()
        return 0

    probe = start_memory_probe()
    workdir = Path(tempfile.mkdtemp(prefix="diligence-bench-"))
    configure_django(workdir)
    from questionnaires.reports.render import STYLESHEET_PATH

    sizes = sorted(set(args.sizes))
    print(f"building {', '.join(map(str, sizes))}-question reports in {workdir} ...", flush=True)
    pages = build_html(sizes)
    chromium = Chromium(STYLESHEET_PATH.read_text(encoding="utf-8"))
    chromium.print(pages[sizes[0]])  # warm-up: first launch costs are not printing costs
    rows = []
    try:
        for size in sizes:
            runs = args.runs if size <= 500 else 1
            weasy, weasy_cpu, weasy_pages, child_peak = time_weasyprint(pages[size], runs)
            chrome, chrome_pages = chromium.time(pages[size], runs)
            rows.append({"questions": size, "html_kb": round(len(pages[size]) / 1024, 1),
                         "weasyprint_s": round(weasy, 3), "weasyprint_cpu_s": round(weasy_cpu, 3),
                         "weasyprint_pages": weasy_pages,
                         "render_child_peak_rss_mb": round(child_peak, 1),
                         "chromium_s": round(chrome, 3), "chromium_pages": chrome_pages,
                         "ratio": round(weasy / chrome, 2), "runs": runs})
            print(f"  {size:>5} questions: WeasyPrint {weasy:7.2f} s ({weasy_pages} pages), "
                  f"Chromium {chrome:6.2f} s ({chrome_pages} pages)", flush=True)
    finally:
        chromium.close()

    largest = sizes[-1]
    html_path = workdir / f"report-{largest}.html"
    html_path.write_text(pages[largest], encoding="utf-8")
    memory = peak_memory_mb(probe, html_path)
    by_size = {row["questions"]: row for row in rows}
    both = 200 in by_size and 2000 in by_size
    linearity = (round(by_size[2000]["weasyprint_s"] / by_size[200]["weasyprint_s"], 2)
                 if both else None)
    linearity_cpu = (round(by_size[2000]["weasyprint_cpu_s"] / by_size[200]["weasyprint_cpu_s"], 2)
                     if both else None)

    print()
    print(f"{'n':>6} {'weasy s':>9} {'(cpu s)':>9} {'chromium s':>11} {'ratio':>7}")
    for row in rows:
        print(f"{row['questions']:>6} {row['weasyprint_s']:>9.2f} {row['weasyprint_cpu_s']:>9.2f} "
              f"{row['chromium_s']:>11.2f} {row['ratio']:>7.2f}")
    if linearity is not None:
        print(f"linearity t(2000)/t(200) = {linearity} wall, {linearity_cpu} CPU "
              f"(aim <= {AIM_LINEARITY})")
    print(f"peak memory of the WeasyPrint render at {largest}: {memory['peak_mb']} MB "
          f"({memory['before_render_mb']} MB before it; aim < {AIM_PEAK_MB} MB)")

    aims = {"ratio_200": by_size[200]["ratio"] <= AIM_RATIO_200 if 200 in by_size else None,
            "linearity": linearity <= AIM_LINEARITY if linearity is not None else None,
            "peak_memory": memory["peak_mb"] < AIM_PEAK_MB}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "rows": rows, "linearity_2000_over_200": linearity,
        "linearity_2000_over_200_cpu": linearity_cpu,
        "peak_memory_at_largest": {"questions": largest, **memory},
        "aims": {"ratio_200_max": AIM_RATIO_200, "linearity_max": AIM_LINEARITY,
                 "peak_mb_max": AIM_PEAK_MB},
        "met": aims,
        "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    missed = [name for name, met in aims.items() if met is False]
    if missed:
        print(f"aims missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
