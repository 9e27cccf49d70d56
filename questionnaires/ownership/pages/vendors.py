"""Buyer pages for the vendor registry and its neutrality: list, create, edit, delete, and
the vendor page (profile, ownership graph and timeline, findings, history, stake forms);
plus the declared competitors and the neutrality settings.

Every lookup is scoped to the caller's organisation, so another tenant's vendor, stake or
competitor is a 404. Compliance reads every page and gets 403 on every form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questionnaires.core.decorators import member_required
from questionnaires.core.errors import DomainError
from questionnaires.ownership.models import Competitor, Stake, Vendor
from questionnaires.ownership.pages.forms import (
    CompetitorForm,
    DisposeForm,
    NeutralitySettingsForm,
    StakeForm,
    VendorFilterForm,
    VendorForm,
)
from questionnaires.ownership.pages.vendor_page import VendorPage, parse_on, shown_percent
from questionnaires.ownership.services.competitors import (
    competitor_create,
    competitor_delete,
    competitor_update,
    neutrality_settings,
    neutrality_settings_update,
)
from questionnaires.ownership.services.stakes import (
    stake_dispose,
    stake_record,
    vendor_stake_record,
)
from questionnaires.ownership.services.vendors import (
    vendor_create,
    vendor_delete,
    vendor_update,
    vendors_matching,
)

PAGE_SIZE = 50


def _vendor(request, pk) -> Vendor:
    organization = request.membership.organization
    vendor = get_object_or_404(Vendor.objects.filter(organization=organization), pk=pk)
    vendor.organization = organization
    return vendor


def _announce(request, events) -> None:
    for event in events:
        messages.warning(request, f"{event.vendor.name} is now "
                                  f"{event.to_status.replace('_', ' ')} "
                                  f"(was {event.from_status.replace('_', ' ')}).")


def _refused(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- Registry ---------------------------------------------------------------------------------------
@require_GET
@member_required
def vendors_list(request):
    filters = VendorFilterForm(request.GET or None)
    vendors = Vendor.objects.filter(organization=request.membership.organization)
    if filters.is_valid():
        query = filters.cleaned_data
        vendors = vendors_matching(vendors, query["q"])
        if query["criticality"]:
            vendors = vendors.filter(criticality=query["criticality"])
        if query["neutrality"]:
            vendors = vendors.filter(neutrality_status=query["neutrality"])
    page = Paginator(vendors.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(request, "workspace/vendors/list.html",
                  {"filters": filters, "page": page, "query": keep.urlencode()})


@require_http_methods(["GET", "POST"])
@member_required(write=True)
def vendor_create_page(request):
    organization = request.membership.organization
    form = VendorForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        vendor = vendor_create(organization=organization, data=form.service_data(),
                               by=request.user)
        messages.success(request, f"{vendor.name} is registered.")
        return redirect("workspace:vendors-detail", pk=vendor.pk)
    return render(request, "workspace/vendors/form.html", {"form": form, "vendor": None},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@member_required(write=True)
def vendor_edit_page(request, pk):
    vendor = _vendor(request, pk)
    form = VendorForm(request.POST or None, instance=vendor,
                      organization=request.membership.organization)
    if request.method == "POST" and form.is_valid():
        # A fresh row: validating the ModelForm wrote the new values onto `vendor`, and
        # the service compares the stored values with the new ones.
        vendor, events = vendor_update(vendor=_vendor(request, pk), data=form.service_data(),
                                       by=request.user)
        messages.success(request, f"{vendor.name} is saved.")
        _announce(request, events)
        return redirect("workspace:vendors-detail", pk=vendor.pk)
    return render(request, "workspace/vendors/form.html", {"form": form, "vendor": vendor},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@member_required(write=True)
def vendor_delete_page(request, pk):
    vendor = _vendor(request, pk)
    if request.method == "POST":
        try:
            events = vendor_delete(vendor=vendor, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("workspace:vendors-detail", pk=pk)
        messages.success(request, f"{vendor.name} was removed from the registry.")
        _announce(request, events)
        return redirect("workspace:vendors-list")
    return render(request, "workspace/vendors/delete.html", {
        "vendor": vendor, "assessments": vendor.assessments.count(),
        "stakes": Stake.objects.filter(Q(subject__vendor=vendor) | Q(holder__vendor=vendor))
        .count()})


# --- The vendor page ----------------------------------------------------------------------------------
@require_GET
@member_required
def vendor_detail(request, pk):
    vendor = _vendor(request, pk)
    on, on_error = parse_on(request.GET.get("on"))
    page = VendorPage.build(vendor, on=on)
    return render(request, "workspace/vendors/detail.html",
                  page.context(on_error=on_error, stake_form=page.stake_form()))


@require_POST
@member_required(write=True)
def vendor_stake_add(request, pk):
    vendor = _vendor(request, pk)
    page = VendorPage.build(vendor)
    form = page.stake_form(request.POST)
    if form.is_valid():
        try:
            written = _record(request, vendor, page, form)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Recorded: {written.stake.holder.name} holds "
                                      f"{shown_percent(written.stake.percent)}% of "
                                      f"{written.stake.subject.name}.")
            _announce(request, written.events)
            return redirect("workspace:vendors-detail", pk=pk)
    return render(request, "workspace/vendors/detail.html",
                  page.context(stake_form=form), status=400)


def _record(request, vendor: Vendor, page: VendorPage, form: StakeForm):
    subject = form.cleaned_data["subject"]
    if subject == page.node:
        return vendor_stake_record(vendor=vendor, data=form.stake_input(), by=request.user)
    return stake_record(organization=vendor.organization, subject=page.entity(subject),
                        data=form.stake_input(), by=request.user)


@require_POST
@member_required(write=True)
def vendor_stake_dispose(request, pk, stake_pk):
    vendor = _vendor(request, pk)
    page = VendorPage.build(vendor)
    stake = get_object_or_404(Stake.objects.select_related("holder", "subject", "organization")
                              .filter(organization=vendor.organization, pk__in=page.stake_ids),
                              pk=stake_pk)
    form = DisposeForm(request.POST, prefix=f"dispose-{stake.pk}")
    if form.is_valid():
        try:
            written = stake_dispose(stake=stake, by=request.user,
                                    disposed_on=form.cleaned_data["disposed_on"],
                                    source=form.cleaned_data["source"] or None)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Recorded: {stake.holder.name} disposed of its stake "
                                      f"in {stake.subject.name}.")
            _announce(request, written.events)
            return redirect("workspace:vendors-detail", pk=pk)
    return render(request, "workspace/vendors/detail.html",
                  page.context(stake_form=page.stake_form(),
                               dispose_errors={str(stake.pk): form}), status=400)


# --- Competitors ----------------------------------------------------------------------------------------
def _competitors(request):
    return Competitor.objects.filter(organization=request.membership.organization)


@require_http_methods(["GET", "POST"])
@member_required
def competitors_page(request):
    if request.method == "POST" and not request.membership.can_write:
        raise PermissionDenied("Your role may read but not change this.")
    form = CompetitorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            written = competitor_create(organization=request.membership.organization,
                                        by=request.user, **form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"{written.competitor.name} is declared a competitor.")
            _announce(request, written.events)
            return redirect("workspace:vendors-competitors")
    rows = [(competitor, CompetitorForm(prefix=str(competitor.pk), initial={
        "name": competitor.name, "aliases": "\n".join(competitor.aliases)}))
        for competitor in _competitors(request).order_by("name", "id")]
    return render(request, "workspace/vendors/competitors.html", {"form": form, "rows": rows},
                  status=400 if form.errors else 200)


@require_POST
@member_required(write=True)
def competitor_edit_page(request, pk):
    competitor = get_object_or_404(_competitors(request), pk=pk)
    form = CompetitorForm(request.POST, prefix=str(competitor.pk))
    if form.is_valid():
        try:
            written = competitor_update(competitor=competitor, by=request.user,
                                        **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{written.competitor.name} is saved.")
            _announce(request, written.events)
    else:
        messages.error(request, "; ".join(f"{field}: {' '.join(errors)}"
                                          for field, errors in form.errors.items()))
    return redirect("workspace:vendors-competitors")


@require_POST
@member_required(write=True)
def competitor_delete_page(request, pk):
    competitor = get_object_or_404(_competitors(request), pk=pk)
    events = competitor_delete(competitor=competitor, by=request.user)
    messages.success(request, f"{competitor.name} is no longer declared a competitor.")
    _announce(request, events)
    return redirect("workspace:vendors-competitors")


# --- Settings ---------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@member_required
def neutrality_settings_page(request):
    organization = request.membership.organization
    if request.method == "POST" and not request.membership.is_admin:
        raise PermissionDenied("Only an administrator may change the neutrality settings.")
    current = neutrality_settings(organization).as_dict()
    initial = {**current["thresholds"], "auto_recheck": current["auto_recheck"]}
    form = NeutralitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            written = neutrality_settings_update(
                organization=organization, by=request.user,
                thresholds=form.overrides(current["defaults"]),
                auto_recheck=form.cleaned_data["auto_recheck"])
        except DomainError as error:
            field = (error.field or "").removeprefix("thresholds.")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, "The neutrality settings are saved.")
            _announce(request, written.events)
            return redirect("workspace:vendors-settings")
    return render(request, "workspace/vendors/settings.html",
                  {"form": form, "current": current,
                   "can_change": request.membership.is_admin},
                  status=400 if form.errors else 200)
