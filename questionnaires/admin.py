from django.contrib import admin

from questionnaires import models


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    search_fields = ["name"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "organization"]


@admin.register(models.Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "criticality", "neutrality_status"]
    list_filter = ["criticality", "neutrality_status"]
    search_fields = ["name"]
    list_select_related = ["organization"]


class QuestionInline(admin.TabularInline):
    model = models.Question
    fields = ["position", "key", "kind", "required", "weight"]
    extra = 0
    show_change_link = True


@admin.register(models.Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "status", "organization", "source_format"]
    list_filter = ["status", "source_format"]
    inlines = [QuestionInline]


@admin.register(models.Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["vendor", "template", "status", "due_date", "organization"]
    list_filter = ["status"]
    list_select_related = ["vendor", "template", "organization"]
    raw_id_fields = ["previous"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, even for superusers."""

    list_display = ["created_at", "organization", "action", "actor_label", "object_type"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (models.Competitor, models.Entity, models.Stake, models.Invitation,
              models.Answer, models.Evidence, models.ScoreRun, models.ScoringJob,
              models.Report, models.Review, models.RemediationItem, models.Scenario,
              models.NeutralityEvent):
    admin.site.register(model)
