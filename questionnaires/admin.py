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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only, even for superusers: these rows are versioned or audited (answers and
    their revisions, score runs, scoring jobs, reports, the audit trail), and an edit here
    would bypass the services that keep their history, their outbox and their audit events.
    Changes go through the application; the trail itself is append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "stream", "seq", "action", "actor_label",
                    "object_type"]
    list_filter = ["action"]
    list_select_related = ["organization"]


@admin.register(models.AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "stream", "seq", "kind"]
    list_filter = ["kind"]
    list_select_related = ["organization"]


@admin.register(models.Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "question", "answered_by", "updated_at"]
    list_select_related = ["assessment", "question"]


@admin.register(models.AnswerRevision)
class AnswerRevisionAdmin(ReadOnlyAdmin):
    list_display = ["answer", "version", "round", "answered_by", "created_at"]


@admin.register(models.ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "engine_version", "created_at"]
    list_select_related = ["assessment"]


@admin.register(models.ScoringJob)
class ScoringJobAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "status", "attempts", "created_at", "dispatched_at"]
    list_filter = ["status"]
    list_select_related = ["assessment"]


@admin.register(models.Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "status", "organization", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["assessment", "organization"]


for model in (models.Competitor, models.Entity, models.Stake, models.Invitation,
              models.Evidence, models.Review, models.RemediationItem, models.Scenario,
              models.NeutralityEvent):
    admin.site.register(model)
