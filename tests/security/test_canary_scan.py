"""The canary scan: organisation B is seeded with unique strings; every read, search, export,
dashboard, chart and PDF of organisation A is searched for them, and finds none.

test_tenancy_matrix.py fills the object routes with B's ids (refused) and scans the routes
without ids. Here the object routes are filled with A's *own* objects, as every role of A,
and every body is decoded by its type before it is searched (bodies.py): PDF text with pypdf,
XLSX cells with openpyxl, charts out of `data:` URLs. B has a tagged row of every kind the
PDF report reads (vendor, ownership graph, competitors, answers, comments, audit events,
scenarios), and look-alikes of A's names in its own registry, so that a query that lost its
organisation filter would put a B string into A's output.

Controls keep the scan honest: A carries a tag of the same shape in the same places, and A's
tag does show in A's PDF, spreadsheet, CSV and charts; the decoder finds a B tag injected
into a PDF (the real report template) and a workbook.

The world is seeded once for the module (about 3 s with the PDF render) inside a transaction
rolled back at the end; each test runs in a savepoint inside it, as pytest-django does.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import itertools
import re
from dataclasses import dataclass

import pytest
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import resolve

from tests.security.bodies import XLSX, decode, read_body, svg_fragments
from tests.security.matrix import (
    BUYER_ROLES,
    NON_OBJECT_PARAMS,
    PUBLIC_ALLOW_LIST,
    ROLES,
    Seeded,
    build_path,
    clients,
    discover_routes,
    new_tag,
    seed_world,
)

pytestmark = pytest.mark.django_db

# Kinds with more than one seeded object worth reading: a route taking a template is swept
# with the draft and with the published (issued, answered) one; an assessment with the
# scored one and with the open one the vendor is answering; evidence with the scored
# assessment's file and with the one A's vendor uploaded to the open assessment; an entity
# with the stake's holder and with its subject (the vendor's own entity).
ALTERNATES = {"template": ("template", "published_template"),
              "assessment": ("assessment", "open_assessment"),
              "evidence": ("evidence", "portal_evidence"),
              "entity": ("entity", "vendor_entity")}
# Labels of A (and B) that the PDF report shows, by what the report context reads:
# organisation, vendor, template, answers, evidence, decision, ownership graph and findings,
# neutrality events, scenarios, audit trail. A label missing here is one the report does
# not show (notes, comments, the draft template...), checked on the pages instead.
REPORT_LABELS = ("organisation", "vendor", "template", "template-about", "question", "answer",
                 "answer-comment", "evidence.pdf", "reviewer", "review", "condition", "entity",
                 "competitor", "named-holder", "parent", "finding", "scenario",
                 "scenario-explain", "audit-actor", "audit-note")
EXPORT_WORDS = re.compile(r"export|download|pdf|\.csv|\.xlsx", re.IGNORECASE)


@dataclass
class World:
    a: Seeded
    b: Seeded


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A and B seeded once, and A's report rendered to a READY PDF by the service (as the
    worker does), inside a transaction that the end of the module rolls back."""
    from django.db import transaction

    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset
    from questionnaires.reports.services import report_render, report_request

    with django_db_blocker.unblock():
        invite_bad_tries_reset(address="127.0.0.1")
        with transaction.atomic():
            a, b = seed_world()
            report = report_request(assessment=a.objects["assessment"],
                                    by=a.members["admin"].user)
            report = report_render(report_id=str(report.pk))
            assert report.status == "ready", report.error
            a.objects["report"] = report
            a.objects["portal_evidence"] = _upload(a)
            yield World(a, b)
            transaction.set_rollback(True)
        invite_bad_tries_reset(address="127.0.0.1")


def _upload(a: Seeded):
    """A file A's vendor uploaded to the open assessment, which its portal session reaches."""
    from django.core.files.base import ContentFile

    from questionnaires.assessments.models import Evidence

    assessment = a.objects["open_assessment"]
    content = f"%PDF-1.4\n% {a.tag}-portal-file\n".encode()
    evidence = Evidence(assessment=assessment, name=f"{a.tag}-portal.pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content_type="application/pdf",
                        question=assessment.template.questions.get(key="sec_soc2_report"),
                        uploaded_by="vera@vendor.test")
    evidence.file.save("portal.pdf", ContentFile(content), save=True)
    return evidence


def _label(seeded: Seeded, what: str) -> str:
    text = f"{seeded.tag}-{what}"
    assert text in seeded.canaries, f"{what!r} is not a seeded label"
    return text


def _leaks(body, b: Seeded, where: str) -> list[str]:
    return [f"{where}: shows {needle}" for needle in body.find(b.needles)]


def _object_paths(route, a: Seeded) -> list[str]:
    choices = [[(param, key) for key in ALTERNATES.get(kind, (kind,))]
               for param, kind in route.object_params.items()]
    paths = []
    for combination in itertools.product(*choices):
        values = {param: str(a.objects[key].pk) for param, key in combination}
        values.update({p: NON_OBJECT_PARAMS[p] for p in route.params if p in NON_OBJECT_PARAMS})
        paths.append(build_path(route, values))
    return paths


# --- The seeding itself ----------------------------------------------------------------------
def test_organisation_b_has_a_canary_in_every_kind_of_row_the_report_reads(world):
    """Otherwise "no B canary in A's PDF" would hold for want of B data, not for scoping."""
    from questionnaires.assessments.models import Answer, Evidence, RemediationItem, Review
    from questionnaires.audit.models import AuditEvent
    from questionnaires.authoring.models import Template
    from questionnaires.ownership.models import Competitor, Entity, NeutralityEvent, Stake, Vendor
    from questionnaires.scoring.models import Scenario, ScoreRun

    b = world.b
    org, tag = b.organization, b.tag
    present = {
        "vendor": Vendor.objects.filter(organization=org, name__startswith=tag),
        "entity": Entity.objects.filter(organization=org, name__startswith=tag),
        "stake": Stake.objects.filter(organization=org, holder__name__startswith=tag),
        "competitor": Competitor.objects.filter(organization=org, name__startswith=tag),
        "template": Template.objects.filter(organization=org, name__startswith=tag),
        "answer": Answer.objects.filter(assessment__organization=org, comment__startswith=tag),
        "evidence": Evidence.objects.filter(assessment__organization=org, name__startswith=tag),
        "review": Review.objects.filter(assessment__organization=org, note__startswith=tag),
        "condition": RemediationItem.objects.filter(assessment__organization=org,
                                                    text__startswith=tag),
        "neutrality event": NeutralityEvent.objects.filter(organization=org,
                                                           findings__icontains=tag),
        "audit event": AuditEvent.objects.filter(organization=org, object_type="Assessment",
                                                 actor_label__startswith=tag),
        "scenario": Scenario.objects.filter(organization=org, title__startswith=tag),
        "scored scenario": ScoreRun.objects.filter(assessment__organization=org,
                                                   scenarios__icontains=tag),
        # The look-alikes: names A uses, recorded in B's registry next to B's tagged ones.
        "look-alike of A's vendor": Entity.objects.filter(
            organization=org, name=f"{world.a.tag}-vendor", owners__holder__name__startswith=tag),
        "look-alike of A's named holder": Entity.objects.filter(
            organization=org, name=f"{world.a.tag}-named-holder", parent__name__startswith=tag),
        "competitor aliasing A's holder": Competitor.objects.filter(
            organization=org, aliases__contains=[f"{world.a.tag}-entity"]),
    }
    missing = [kind for kind, rows in present.items() if not rows.exists()]
    assert not missing, f"B has no tagged row of: {missing}"


# --- 1. Object routes filled with A's own objects ----------------------------------------------
def test_object_routes_filled_with_organisation_as_own_objects_never_show_bs_canaries(world):
    """Every route with ids, filled with A's objects, GET as every role of A; every body
    decoded by type (PDF, XLSX, evidence files, pages, JSON) and searched for B."""
    a, b = world.a, world.b
    # A server error is not a leak (Django's generic page); it leaves the route unread,
    # which the last assertion reports.
    pages, apis = clients(a, raise_errors=False)
    routes = [r for r in discover_routes() if r.object_params and r.route not in PUBLIC_ALLOW_LIST]
    leaks, kinds, admin_statuses = [], {}, {}
    read, showing_a = 0, 0
    for route in routes:
        for path in _object_paths(route, a):
            for role in ROLES:
                response = (apis if route.is_api else pages)[role].get(path)
                body = read_body(response)
                leaks += _leaks(body, b, f"{role} GET {path} [{route.route}] -> "
                                         f"{response.status_code} {body.kind}")
                if role == "admin":
                    admin_statuses.setdefault(route.route, set()).add(response.status_code)
                if response.status_code == 200:
                    kinds[body.kind] = kinds.get(body.kind, 0) + 1
                    read += 1
                    showing_a += bool(body.find([a.tag]))
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)
    # Not vacuous. Every route the admin may GET was read with at least one of A's objects
    # (a route answering only 404 or 500 for A's own object was not scanned at all); most
    # bodies read show A's own tag, so they carried data, not empty shells; and the report
    # PDF (each buyer role) and the evidence files were among them, decoded as such.
    unread = {route: statuses for route, statuses in admin_statuses.items()
              if 200 not in statuses and statuses != {405}}
    assert not unread, f"routes the admin could not read with A's own objects: {unread}"
    assert showing_a * 2 >= read, (showing_a, read)
    assert kinds.get("pdf", 0) == len(BUYER_ROLES), kinds
    assert kinds.get("unreadable-pdf", 0) >= 2, kinds  # the evidence files: not real PDFs


# --- 2. The PDF report ---------------------------------------------------------------------------
def _report_pdf(world, role: str = "admin"):
    _, apis = clients(world.a)
    response = apis[role].get(f"/api/v1/reports/{world.a.objects['report'].pk}/pdf/")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    body = read_body(response)
    assert body.kind == "pdf" and body.pages == world.a.objects["report"].pages
    return body


def test_report_pdf_of_organisation_a_shows_none_of_bs_canaries(world):
    body = _report_pdf(world)
    assert not body.find(world.b.needles)


def test_control_report_pdf_shows_organisation_as_own_strings_of_every_kind_b_has(world):
    """The same decoder reads A's tags back out of the same PDF: B's absence above means
    scoping, not a PDF whose text cannot be read."""
    body = _report_pdf(world)
    labels = [_label(world.a, what) for what in REPORT_LABELS]
    missing = [label for label in labels if label not in body.find(labels)]
    assert not missing, f"A's PDF does not show: {missing}"


def test_report_charts_are_drawn_from_organisation_as_data_only(world):
    """The pictures inside the report (section scores, scenarios, ownership graph and stake
    timeline) are SVG in `data:` URLs: decoded and searched one by one."""
    from questionnaires.reports.context import report_context
    from questionnaires.reports.render import report_html

    context = report_context(world.a.objects["report"])
    uris = [*context["section_charts"], *context["scenario_charts"],
            context["neutrality"]["graph"], context["neutrality"]["timeline"]]
    charts = [decode(base64.b64decode(uri.split(",", 1)[1]), "image/svg+xml") for uri in uris]
    assert len(charts) >= 4 and all(chart.text.lstrip().startswith("<svg") for chart in charts)
    leaks = [f"chart {index}: {needle}" for index, chart in enumerate(charts)
             for needle in chart.find(world.b.needles)]
    assert not leaks
    # The whole report page, its charts decoded out of their data URLs too.
    html = decode(report_html(context).encode(), "text/html; charset=utf-8")
    assert len(svg_fragments(html.texts[0])) == len(uris)
    assert not html.find(world.b.needles)


def test_control_report_charts_show_organisation_as_own_names(world):
    from questionnaires.reports.context import report_context

    context = report_context(world.a.objects["report"])
    graph = base64.b64decode(context["neutrality"]["graph"].split(",", 1)[1]).decode()
    scenarios = "".join(base64.b64decode(uri.split(",", 1)[1]).decode()
                        for uri in context["scenario_charts"])
    a = world.a
    assert _label(a, "entity") in graph and _label(a, "parent") in graph
    assert _label(a, "scenario") in scenarios


# --- 3. Charts on the pages ----------------------------------------------------------------------
def _chart_pages(a: Seeded) -> dict[str, int]:
    """Page -> how many charts it draws: the dashboard's tiers, the vendor's ownership graph
    and stake timeline, the vendor's score trend."""
    vendor = a.objects["vendor"].pk
    return {"/": 1, f"/vendors/{vendor}/": 2, f"/vendors/{vendor}/assessments/": 1}


def test_charts_on_pages_never_show_bs_canaries(world):
    a, b = world.a, world.b
    pages, _ = clients(a)
    leaks = []
    for role in BUYER_ROLES:
        for path, expected in _chart_pages(a).items():
            response = pages[role].get(path)
            assert response.status_code == 200, (role, path)
            charts = svg_fragments(response.content.decode())
            assert len(charts) == expected, (role, path, len(charts))
            for chart in charts:
                leaks += [f"{role} {path}: {needle}"
                          for needle in decode(chart.encode(), "image/svg+xml").find(b.needles)]
    assert not leaks


def test_charts_without_names_count_only_organisation_as_vendors_and_scores(world):
    """The tier chart and the score trend carry no names to scan: their numbers must add up
    to A's own vendors and A's own scored cycles (B's would make them larger)."""
    from questionnaires.ownership.models import Vendor
    from questionnaires.scoring.models import ScoreRun

    a = world.a
    pages, _ = clients(a)
    tiers = svg_fragments(pages["admin"].get("/").content.decode())[0]
    summary = re.search(r"<desc[^>]*>([^<]*)</desc>", tiers).group(1)
    counts = {name: int(n) for name, _, n in (part.partition(": ") for part in summary.split(", "))}
    vendors = Vendor.objects.filter(organization=a.organization)
    scored = vendors.filter(assessments__score_runs__isnull=False).distinct()
    # "Not scored" is what is left of the vendor count, so a leak shows in the scored bars
    # (too many) and in the remainder (below zero): both are checked.
    assert sum(n for name, n in counts.items() if name != "Not scored") == scored.count() == 1, \
        summary
    assert counts["Not scored"] == vendors.count() - scored.count(), summary
    vendor = a.objects["vendor"]
    trend = svg_fragments(pages["admin"].get(f"/vendors/{vendor.pk}/assessments/")
                          .content.decode())[0]
    cycles = (ScoreRun.objects.filter(assessment__vendor=vendor)
              .values("assessment").distinct().count())
    assert trend.count("<circle") == cycles == 1


def test_control_ownership_charts_show_organisation_as_own_names(world):
    a = world.a
    pages, _ = clients(a)
    graph, timeline = svg_fragments(pages["admin"].get(f"/vendors/{a.objects['vendor'].pk}/")
                                    .content.decode())
    for label in ("entity", "named-holder", "parent", "vendor"):
        assert _label(a, label) in graph, label
    assert _label(a, "entity") in timeline


# --- 4. Exports and downloads --------------------------------------------------------------------
def _exports(a: Seeded) -> list[tuple[str, bool, str]]:
    """(path, is an API path, the role that downloads it) of every export and download of
    A's data."""
    from questionnaires.authoring.services.files import EXPORT_FORMATS

    o = a.objects
    paths = [("/portfolio/export.csv", False, "admin"), ("/portfolio/export.xlsx", False, "admin"),
             ("/audit/export.csv", False, "admin"),
             (f"/api/v1/reports/{o['report'].pk}/pdf/", True, "admin"),
             (f"/api/v1/assessments/{o['assessment'].pk}/evidence/{o['evidence'].pk}/", True,
              "admin"),
             (f"/portal/evidence/{o['portal_evidence'].pk}/", False, "vendor")]
    for template, fmt in itertools.product((o["template"], o["published_template"]),
                                           EXPORT_FORMATS):
        paths += [(f"/templates/{template.pk}/export/{fmt}/", False, "admin"),
                  (f"/api/v1/templates/{template.pk}/export/?format={fmt}", True, "admin")]
    return paths


def test_every_export_and_download_route_is_in_the_export_scan(world):
    """A new export route fails here until _exports() reads it."""
    # ResolverMatch.route drops the "^" of regex patterns: compare without it.
    scanned = {resolve(path.split("?")[0]).route.replace("^", "")
               for path, _, _ in _exports(world.a)}
    exporting = {r.route.replace("^", "") for r in discover_routes()
                 if EXPORT_WORDS.search(r.route) or EXPORT_WORDS.search(r.name)}
    assert exporting, "no export route found: the pattern no longer matches the URLs"
    assert exporting <= scanned, f"not scanned: {sorted(exporting - scanned)}"


def test_exports_and_downloads_never_show_bs_canaries(world):
    """Portfolio CSV and XLSX, audit CSV, every template export format (page and API), the
    report PDF and the evidence downloads, as every role: decoded, no B string."""
    a, b = world.a, world.b
    pages, apis = clients(a, raise_errors=False)
    leaks, kinds = [], {}
    for path, is_api, reader in _exports(a):
        for role in ROLES:
            response = (apis if is_api else pages)[role].get(path)
            body = read_body(response)
            leaks += _leaks(body, b, f"{role} GET {path} -> {response.status_code}")
            if role == reader:
                assert response.status_code == 200, (path, response.content[:300])
                kinds[body.kind] = kinds.get(body.kind, 0) + 1
    assert not leaks, "\n".join(leaks)
    # Each format was decoded as such, none scanned as opaque bytes: the report as a PDF,
    # the spreadsheets as workbooks, the evidence files (not real PDFs) by their bytes.
    assert "bytes" not in kinds and "unreadable-xlsx" not in kinds, kinds
    assert kinds["pdf"] == 1 and kinds["unreadable-pdf"] == 2 and kinds["xlsx"] >= 3, kinds


def test_control_exports_show_organisation_as_own_strings(world):
    a = world.a
    pages, apis = clients(a)
    vendor = _label(a, "vendor")
    portfolio_csv = read_body(pages["admin"].get("/portfolio/export.csv"))
    assert vendor in portfolio_csv.find([vendor])
    portfolio_xlsx = read_body(pages["admin"].get("/portfolio/export.xlsx"))
    assert portfolio_xlsx.kind == "xlsx" and vendor in portfolio_xlsx.cells
    audit = read_body(pages["admin"].get("/audit/export.csv"))
    assert audit.find([_label(a, "audit-actor"), _label(a, "named-holder")]) == [
        _label(a, "audit-actor"), _label(a, "named-holder")]
    template = a.objects["published_template"].pk
    for fmt in ("native", "json", "xlsx", "csv"):
        body = read_body(apis["admin"].get(f"/api/v1/templates/{template}/export/?format={fmt}"))
        assert body.find([_label(a, "question")]), fmt
        if fmt == "xlsx":
            assert any(_label(a, "question") in cell for cell in body.cells)


# --- 4b. Search ----------------------------------------------------------------------------------
def _ghost(needle: str, b: Seeded) -> str:
    """A query of the same shape that matches nothing: how often a page echoes the query."""
    return needle.replace(b.tag, new_tag("CANARY"))


def _search_paths(query: str) -> dict[str, tuple[str, dict]]:
    return {"dashboard": ("/", {"q": query}),
            "dashboard table": ("/", {"q": query, "__htmx__": True}),
            "vendor registry": ("/vendors/", {"q": query}),
            "portfolio csv": ("/portfolio/export.csv", {"q": query}),
            "audit by actor": ("/audit/", {"actor": query})}


def _get(client, path: str, params: dict):
    params = dict(params)
    headers = {"HTTP_HX_REQUEST": "true"} if params.pop("__htmx__", False) else {}
    return client.get(path, params, **headers)


def _csv_rows(body) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.texts[0].lstrip("\ufeff"))))


def _echoes(client, what: str, b: Seeded) -> int:
    """How often the page repeats a query that matches nothing (the search box, the export
    links): B's tag may show that often, and no more."""
    ghost = _ghost(_label(b, "vendor"), b)
    path, params = _search_paths(ghost)[what]
    return read_body(_get(client, path, params)).text.casefold().count(ghost.casefold())


def test_searching_for_bs_canaries_lists_nothing(world):
    """Every B string as the dashboard's and the registry's search (and the CSV of the
    search, and the audit trail's actor filter): no row, no B string beyond the echo."""
    a, b = world.a, world.b
    pages, apis = clients(a)
    problems = []
    searchable = [_label(b, "vendor"), _label(b, "contact"), b.tag]
    for role in BUYER_ROLES:
        echoes = {what: _echoes(pages[role], what, b) for what in _search_paths("")}
        for needle in b.needles if role == "admin" else searchable:
            found = apis[role].get("/api/v1/vendors/", {"search": needle}).json()
            if found["count"]:
                problems.append(f"{role} API search {needle}: {found['results']}")
            for what, (path, params) in _search_paths(needle).items():
                body = read_body(_get(pages[role], path, params))
                shown = body.text.casefold().count(b.tag.casefold())
                echoed = echoes[what] * needle.count(b.tag)
                if shown != echoed:
                    problems.append(f"{role} {what} {needle}: B's tag {shown}x, a miss echoes "
                                    f"{echoed}x")
                if str(b.objects["vendor"].pk) in body.text:
                    problems.append(f"{role} {what} {needle}: lists B's vendor")
                if what == "portfolio csv" and len(_csv_rows(body)) != 1:
                    problems.append(f"{role} {what} {needle}: rows {_csv_rows(body)}")
                if what in ("dashboard table", "vendor registry") and \
                        str(a.objects["vendor"].pk) in body.text:
                    problems.append(f"{role} {what} {needle}: the search did not filter")
    assert not problems, "\n".join(problems)


def test_control_searching_for_organisation_as_own_name_lists_its_vendor(world):
    """The same searches find A's vendor, and a listed vendor shows its name more often than
    the echo of a miss: the echo allowance above cannot hide a listed B vendor."""
    a, b = world.a, world.b
    pages, apis = clients(a)
    vendor = a.objects["vendor"]
    for role in BUYER_ROLES:
        found = apis[role].get("/api/v1/vendors/", {"search": vendor.name}).json()
        assert [row["id"] for row in found["results"]] == [str(vendor.pk)], role
        for what, (path, params) in _search_paths(vendor.name).items():
            text = read_body(_get(pages[role], path, params)).text
            if what == "audit by actor":
                continue  # searched by actor below
            assert text.count(vendor.name) > _echoes(pages[role], what, b), (role, what)
            if what != "portfolio csv":
                assert str(vendor.pk) in text, (role, what)
            else:
                rows = _csv_rows(read_body(_get(pages[role], path, params)))
                assert [row[0] for row in rows[1:]] == [vendor.name], (role, rows)
        audit = read_body(_get(pages[role], "/audit/", {"actor": _label(a, "audit-actor")}))
        assert _label(a, "audit-note") in audit.text, role


# --- 5. The decoder finds what it is meant to find --------------------------------------------------
def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _svg_img(text: str) -> str:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="4" y="20" '
           f'font-family="DejaVu Sans" font-size="11">{text}</text></svg>')
    return f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'


def test_decoder_reads_a_canary_out_of_pdf_text_a_broken_line_and_an_svg_picture():
    tag = new_tag("CANARY")
    plain, wrapped, pictured = f"{tag}-plain", f"{tag}-wrapped-name", f"{tag}-chart"
    pdf = _pdf(f"<p>{plain}</p><p style='width: 30px'>{wrapped}</p>{_svg_img(pictured)}"
               "<p style='page-break-before: always'>second page</p>")
    for response in (HttpResponse(pdf, content_type="application/pdf"),
                     FileResponse(io.BytesIO(pdf), content_type="application/pdf")):
        body = read_body(response)
        assert body.kind == "pdf" and body.pages == 2
        assert body.find([plain, wrapped, pictured, tag]) == [plain, wrapped, pictured, tag]
        assert body.find([new_tag("CANARY")]) == []
    # The raw bytes alone would have missed them: the page content is compressed.
    assert not any(c.encode() in pdf for c in (plain, wrapped, pictured))


def test_decoder_reads_a_canary_out_of_xlsx_cells_and_shared_strings():
    from openpyxl import Workbook

    from questionnaires.core.exports import xlsx_bytes

    tag = new_tag("CANARY")
    written = xlsx_bytes(["Vendor", "Score"], [["Someone", 1], [f"{tag}-cell", 2]], title="P")
    book = Workbook()
    book.active["A1"] = "nothing here"
    book.create_sheet("Second")["C7"] = f"{tag}-shared"
    buffer = io.BytesIO()
    book.save(buffer)
    for raw, expected in ((written, f"{tag}-cell"), (buffer.getvalue(), f"{tag}-shared")):
        body = read_body(HttpResponse(raw, content_type=XLSX))
        assert body.kind == "xlsx" and expected in body.cells
        assert body.find([expected]) == [expected]
        assert expected.encode() not in raw  # zipped: only decoding finds it


def test_decoder_reads_streamed_csv_binary_files_data_urls_and_download_names():
    tag = new_tag("CANARY")
    needle = f"{tag}-x"
    streamed = StreamingHttpResponse(iter(["Vendor\r\n", needle[:9], needle[9:] + "\r\n"]),
                                     content_type="text/csv; charset=utf-8")
    binary = HttpResponse(b"\x00\x01" + needle.encode() + b"\xff\xfe",
                          content_type="application/octet-stream")
    picture = HttpResponse(f"<html><body>{_svg_img(needle)}</body></html>",
                           content_type="text/html; charset=utf-8")
    named = HttpResponse(b"%PDF-1.4 not really", content_type="application/pdf")
    named["Content-Disposition"] = f'attachment; filename="report-{needle.lower()}.pdf"'
    for response in (streamed, binary, picture, named):
        assert read_body(response).find([needle]) == [needle], response
    assert needle.encode() not in picture.content  # base64 in the page


def test_decoder_finds_a_b_canary_injected_into_organisation_as_real_report(world):
    """The real report template and renderer, A's real context, one B string put into the
    decision and one into the ownership graph picture: the scan must find both."""
    from questionnaires.reports.context import report_context
    from questionnaires.reports.ownership import svg_data_uri
    from questionnaires.reports.render import pdf_bytes, report_html

    a, b = world.a, world.b
    context = report_context(a.objects["report"])
    context["review"]["conditions"][0]["text"] = _label(b, "condition")
    graph = base64.b64decode(context["neutrality"]["graph"].split(",", 1)[1]).decode()
    assert _label(a, "parent") in graph
    context["neutrality"]["graph"] = svg_data_uri(graph.replace(_label(a, "parent"),
                                                                _label(b, "parent")))
    body = decode(pdf_bytes(report_html(context)), "application/pdf")
    assert body.kind == "pdf"
    assert set(body.find(b.needles)) == {_label(b, "condition"), _label(b, "parent"), b.tag}


def test_decoder_finds_a_b_canary_injected_into_organisation_as_real_workbook(world):
    from openpyxl import load_workbook

    a, b = world.a, world.b
    pages, _ = clients(a)
    real = read_body(pages["admin"].get("/portfolio/export.xlsx"))
    assert real.kind == "xlsx" and not real.find(b.needles)
    book = load_workbook(io.BytesIO(real.raw))
    book.active.append([_label(b, "vendor")])
    buffer = io.BytesIO()
    book.save(buffer)
    assert decode(buffer.getvalue(), XLSX).find(b.needles) == [_label(b, "vendor"), b.tag]
