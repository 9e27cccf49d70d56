"""Buyer and compliance pages."""

from django.shortcuts import render

from ..models import Vendor
from .decorators import member_required


@member_required
def dashboard(request):
    vendors = Vendor.objects.filter(organization=request.membership.organization)
    return render(request, "workspace/dashboard.html", {"vendors": vendors})
