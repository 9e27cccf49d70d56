"""The single mechanism that scopes every buyer-side query to the caller's organisation."""

from rest_framework.exceptions import NotAuthenticated

from questionnaires.core.tenancy import membership_of


class OrganizationScopedMixin:
    """A view's queryset is always filtered by the caller's organisation, so another tenant's
    object is simply absent: 404, never 403, never a hint that it exists."""

    organization_field = "organization"

    @property
    def membership(self):
        membership = membership_of(self.request)
        if membership is None:
            raise NotAuthenticated()
        return membership

    @property
    def organization(self):
        return self.membership.organization

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return queryset.none()
        return queryset.filter(**{self.organization_field: self.organization})

    def perform_create(self, serializer):
        serializer.save(organization=self.organization)
