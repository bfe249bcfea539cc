from django import forms
from django.contrib import admin, messages

from tenants.engine.tiers import override_errors
from tenants.infra.settings import tenancy_config
from tenants.models import AuditEntry, GitLabEvent, HeldPlan, ManagedNamespace
from tenants.tenancy.held import decide_held_plan


class ManagedNamespaceForm(forms.ModelForm):
    """An admin may change the tier or override single quota values; both are checked before anything is saved."""

    class Meta:
        model = ManagedNamespace
        fields = ("tier", "quota_overrides", "expiry_override")

    def clean_tier(self) -> str:
        tier = self.cleaned_data["tier"]
        known = sorted(tenancy_config().tiers)
        if tier not in known:
            raise forms.ValidationError(f"unknown tier {tier!r}; choose one of {', '.join(known)}")
        return tier

    def clean_quota_overrides(self) -> dict:
        overrides = self.cleaned_data["quota_overrides"] or {}
        if not isinstance(overrides, dict) or not all(isinstance(v, str) for v in overrides.values()):
            raise forms.ValidationError('overrides are a JSON object of quantities, e.g. {"requests.cpu": "4"}')
        errors = override_errors(overrides)
        if errors:
            raise forms.ValidationError(errors)
        return overrides


@admin.register(ManagedNamespace)
class ManagedNamespaceAdmin(admin.ModelAdmin):
    form = ManagedNamespaceForm
    list_display = ("name", "kind", "tier", "gitlab_path", "owner", "updated_at")
    list_filter = ("kind", "tier")
    search_fields = ("name", "gitlab_path", "owner__username")
    readonly_fields = ("name", "kind", "gitlab_id", "gitlab_path", "owner", "created_at", "updated_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "trigger", "action", "kind", "namespace", "name", "reason")
    list_filter = ("action", "kind")
    search_fields = ("namespace", "name", "trigger", "reason")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GitLabEvent)
class GitLabEventAdmin(admin.ModelAdmin):
    list_display = ("pk", "received_at", "event_name", "status", "attempts", "last_error")
    list_filter = ("status", "event_name")


@admin.register(HeldPlan)
class HeldPlanAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "status", "reason")
    readonly_fields = ("created_at", "trigger", "reason", "namespaces", "status", "decided_by", "decided_at")
    actions = ["approve", "discard"]

    @admin.action(description="Approve: delete these namespaces")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Discard: keep the namespaces")
    def discard(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, approve: bool) -> None:
        for held in queryset.filter(status=HeldPlan.Status.HELD):
            deleted = decide_held_plan(held, approve=approve, admin=request.user)
            self.message_user(request, f"Held plan #{held.pk} {held.status}; {deleted} change(s) carried out.",
                              messages.SUCCESS)
