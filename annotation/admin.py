"""Admin for `annotation`: campaigns editable; reads, consensus and the audit trail read-only (services write them)."""

from django.contrib import admin

from annotation.models import AdjudicationTask, Assignment, AuditEvent, Campaign, CampaignStudy, Consensus, Read


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "taxonomy", "min_reads", "max_reads", "priority_policy", "created_at"]
    list_filter = ["status"]
    filter_horizontal = ["readers", "adjudicators"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]


@admin.register(CampaignStudy)
class CampaignStudyAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "study", "status", "target_reads", "n_submitted", "priority", "is_gold"]
    list_filter = ["campaign", "status", "is_gold"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "campaign_study", "reader", "status", "reserved_at", "expires_at", "submitted_at"]
    list_filter = ["campaign", "status"]


@admin.register(Read)
class ReadAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "version", "status", "no_findings", "time_spent_s", "submitted_at"]
    list_filter = ["status"]


@admin.register(Consensus)
class ConsensusAdmin(ReadOnlyAdmin):
    list_display = ["campaign_study", "trait", "label", "method", "soft_label", "ds_probability", "n_reads"]
    list_filter = ["method"]


@admin.register(AdjudicationTask)
class AdjudicationTaskAdmin(ReadOnlyAdmin):
    list_display = ["campaign_study", "status", "adjudicator", "created_at", "decided_at"]
    list_filter = ["status"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "campaign_id", "ip"]
    list_filter = ["action"]
    search_fields = ["action", "object_type"]
