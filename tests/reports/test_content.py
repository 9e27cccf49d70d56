"""What the rendered PDF says: every chapter in order, the right figures, every page drawn,
vendor text shown as text, and a bounded number of queries to gather it all."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from questionnaires.scoring.text import num
from tests.support.pdf_tools import pdf_pages_text, rasterise
from tests.support.reports import ACCENTED, HOSTILE, generated_answers, generated_spec, issue_answer_score

pytestmark = pytest.mark.django_db

CHAPTERS = ["Executive summary", "Score breakdown", "Neutrality and ownership", "Stress tests",
            "Findings and recommendations", "Appendix: every answer", "Audit summary",
            "Integrity and verification"]


# Every test here only reads the known report: it is rendered once for the module.
@pytest.fixture
def rendered(rendered_once):
    return rendered_once.rendered


@pytest.fixture
def scored(rendered_once):
    return rendered_once.scored


@pytest.fixture
def hostile_server(rendered_once):
    return rendered_once.server


@pytest.fixture
def buyer(rendered_once):
    return rendered_once.buyer


@pytest.fixture
def vendor(rendered_once):
    return rendered_once.vendor


def pdf_of(report) -> bytes:
    with report.file.open("rb") as stream:
        return stream.read()


def squeezed(text: str) -> str:
    """Text without white space: long hashes may wrap anywhere in the PDF."""
    return re.sub(r"\s+", "", text)


def test_the_stored_pdf_is_what_the_report_row_describes(rendered):
    data = pdf_of(rendered)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == rendered.sha256
    assert len(PdfReader(io.BytesIO(data)).pages) == rendered.pages
    assert rendered.file.name.startswith("reports/") and rendered.error == ""
    assert rendered.finished_at is not None


def test_every_chapter_starts_a_page_after_the_contents_and_in_the_documented_order(rendered):
    pages = pdf_pages_text(pdf_of(rendered))
    assert "CONFIDENTIAL - Acme Labs internal" in pages[0]
    assert pages[1].lstrip().startswith("Contents")
    starts = []
    for chapter in CHAPTERS:
        # Each chapter's heading is the first line of the page it opens (after the header).
        found = [index for index, text in enumerate(pages) if index > 1
                 and text.lstrip().startswith(chapter)]
        assert found, f"no page opens with {chapter!r}"
        starts.append(found[0])
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_the_figures_are_the_score_runs(rendered, scored):
    run = scored.score_run
    text = "\n".join(pdf_pages_text(pdf_of(rendered)))
    assert f"{num(run.overall)} / 100" in text
    assert f"Overall score {num(run.overall)}" in text
    assert run.tier.upper() + " RISK" in text  # the tier badge is set in capitals
    security = next(s for s in run.result["sections"] if s["key"] == "security")
    assert re.search(rf"Security\s+{re.escape(num(security['score']))}\s", text)
    breach = next(s for s in run.scenarios if s["key"] == "vendor-breach")
    assert breach["title"] in text and num(breach["overall"]) in text
    for flag in run.result["flags"]:
        assert flag["title"] in text
    assert "Breach notification slower than 72 hours" in text
    assert scored.assessment.answers_digest in squeezed(text)
    assert rendered.score_run.digest == scored.assessment.answers_digest


def test_the_summary_names_the_decision_its_condition_and_the_worst_scenario(rendered, scored):
    summary = next(text for text in pdf_pages_text(pdf_of(rendered))
                   if text.lstrip().startswith("Executive summary"))
    worst = min(scored.score_run.scenarios, key=lambda s: s["delta"])
    assert "Approved with conditions by rob" in summary
    assert "Add a 30-day change-of-control notice clause" in summary
    assert f"{worst['title']}: {num(worst['overall'])} / 100" in summary
    assert "A model builder holds equity" in summary


def test_the_neutrality_chapter_shows_the_competitor_path_and_the_change_history(rendered):
    chapter = next(text for text in pdf_pages_text(pdf_of(rendered))
                   if text.lstrip().startswith("Neutrality and ownership"))
    assert "Orbital Dynamics" in chapter and "LabelWorks" in chapter
    assert "Path: Orbital Dynamics \u2192 LabelWorks" in chapter
    assert "Neutral \u2192 At risk" in chapter
    assert "Ownership of LabelWorks on" in chapter  # the SVG graph's own caption


def test_only_visible_questions_are_in_the_appendix_with_answers_comments_and_evidence(
        rendered, scored):
    text = "\n".join(pdf_pages_text(pdf_of(rendered)))
    appendix = text[text.index("Appendix: every answer", text.index("Findings and")):]
    assert "own_board_seat_detail" not in appendix  # hidden: the vendor answered "no"
    assert "own_stake_percent" in appendix and "Logical separation in shared systems" in appendix
    assert ACCENTED in text.replace("\n", " ")
    assert "soc2-type-ii-2025.pdf" in appendix
    assert scored.evidence.sha256 in squeezed(appendix)
    assert "ISO27001:2022 A.5.19" in appendix


def test_hostile_vendor_text_is_printed_as_text_and_nothing_is_fetched(rendered, scored,
                                                                       hostile_server):
    port = hostile_server.server_address[1]
    text = squeezed("\n".join(pdf_pages_text(pdf_of(rendered))))
    assert squeezed(HOSTILE.replace("PORT", str(port))) in text
    assert hostile_server.seen == []


def test_every_page_renders_to_a_picture_that_is_not_blank(rendered, tmp_path):
    from PIL import Image, ImageStat

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_of(rendered))
    pictures = rasterise(pdf, tmp_path)
    assert len(pictures) == rendered.pages
    for picture in pictures:
        with Image.open(picture) as image:
            grey = image.convert("L")
            # A blank page is all white: the darkest pixel and the spread give it away.
            assert grey.getextrema()[0] < 128, f"{picture.name} has no dark ink"
            assert ImageStat.Stat(grey).stddev[0] > 5, f"{picture.name} looks blank"


def test_pages_carry_the_running_header_and_page_x_of_y(rendered):
    pages = pdf_pages_text(pdf_of(rendered))
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        if number > 1:
            assert "LabelWorks" in text and "CONFIDENTIAL - Acme Labs internal" in text
            assert rendered.pk.hex[:8] in text.replace("-", "")


def test_the_pdf_metadata_describes_the_report_without_urls(rendered):
    metadata = PdfReader(io.BytesIO(pdf_of(rendered))).metadata
    assert metadata.title == "Due diligence report: LabelWorks"
    assert metadata.author == "Diligence for Acme Labs"
    assert "CONFIDENTIAL - Acme Labs internal" in metadata.subject
    assert "http" not in str(dict(metadata))


def test_the_contents_link_to_their_chapters(rendered):
    reader = PdfReader(io.BytesIO(pdf_of(rendered)))
    contents = reader.pages[1]
    links = [annotation.get_object() for annotation in contents.get("/Annots", [])]
    internal = [link for link in links if link.get("/Subtype") == "/Link"
                and ("/Dest" in link or link.get("/A", {}).get("/S") == "/GoTo")]
    assert len(internal) >= len(CHAPTERS)


def test_gathering_the_content_takes_as_many_queries_for_120_questions_as_for_10(
        buyer, vendor, scored):
    from questionnaires.reports.context import report_context
    from questionnaires.reports.models import Report

    big = issue_answer_score(organization=buyer.organization, vendor=vendor,
                             spec=generated_spec(120), answers=generated_answers(generated_spec(120)),
                             bulk=True)
    counts = []
    for built in (scored, big):
        report = Report.objects.create(organization=buyer.organization,
                                       assessment=built.assessment, score_run=built.score_run)
        report_context(report)  # warms the per-process compiled-template cache
        with CaptureQueriesContext(connection) as queries:
            context = report_context(report)
        counts.append(len(queries))
    # The known assessment has a decision with conditions (one query more) and 12 times
    # fewer questions: the count follows the features, never the size.
    assert counts[1] <= counts[0] <= 16
    assert sum(len(section["questions"]) for section in context["appendix"]) == 120
