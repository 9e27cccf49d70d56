"""The portfolio dashboard: every vendor with its latest assessment, score and tier;
filters, sorting and search by GET parameters (the table is swapped by htmx), a chart of
vendors per tier, evidence about to expire, and CSV/XLSX exports of the filtered list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from questionnaires.charts.portfolio import tier_counts_svg
from questionnaires.core.decorators import member_required
from questionnaires.core.exports import XLSX_CONTENT_TYPE, csv_lines, xlsx_bytes
from questionnaires.portfolio.filters import PortfolioFilterForm
from questionnaires.portfolio.selectors import (
    EXPORT_HEADERS,
    expiring_evidence,
    portfolio,
    portfolio_rows,
    tier_counts,
    with_schedule,
)

PAGE_SIZE = 50


@require_GET
@member_required
@vary_on_headers("HX-Request")
def dashboard(request):
    organization = request.membership.organization
    form = PortfolioFilterForm(request.GET)
    today = timezone.localdate()
    context = {"form": form, "page": None, "rows": [], "today": today}
    status = 200
    if form.is_valid():
        query = form.query()
        vendors = portfolio(organization=organization, query=query, today=today)
        page = Paginator(vendors, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page=page, query=query,
                       rows=with_schedule(page.object_list, organization=organization,
                                          today=today))
    else:
        status = 400
    if request.htmx and not request.htmx.boosted:
        return render(request, "workspace/_portfolio.html", context, status=status)
    counts = tier_counts(organization=organization)
    expiring_count, expiring = expiring_evidence(organization=organization, today=today)
    context.update(counts=counts, chart=tier_counts_svg(counts), expiring=expiring,
                   expiring_count=expiring_count)
    return render(request, "workspace/dashboard.html", context, status=status)


@require_GET
@member_required
def portfolio_export(request, fmt: str):
    form = PortfolioFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    organization, today = request.membership.organization, timezone.localdate()
    vendors = portfolio(organization=organization, query=form.query(), today=today)
    rows = portfolio_rows(vendors, organization=organization, today=today)
    filename = f"portfolio-{today.isoformat()}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(EXPORT_HEADERS, rows),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(EXPORT_HEADERS, rows, title="Portfolio"),
                                content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
