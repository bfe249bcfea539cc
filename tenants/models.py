from django.db import models

from tenants.infra.models import AuditEntry, Job, QueuedWork

__all__ = ["AuditEntry", "Job", "QueuedWork"]  # the plumbing's tables, defined in tenants.infra.models


class LoginFailure(models.Model):
    """One failed sign-in, counted per username and per client address to throttle guessing."""

    key = models.CharField(max_length=200, db_index=True)  # "user:<name>" or "addr:<ip>"
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M:%S}"


class ManagedNamespace(models.Model):
    """A Kubernetes namespace campus owns. The name is fixed at creation: GitLab renames and transfers
    update the path, never the name, so workloads survive them."""

    class Kind(models.TextChoices):
        PERSONAL = "personal"  # a student's own, created at first sign-in
        GROUP = "group"  # a GitLab group or subgroup
        PROJECT = "project"  # a GitLab project
        REQUESTED = "requested"  # a project namespace requested in the portal, owned by its requester

    class Stage(models.TextChoices):
        ACTIVE = "active"
        WARNED = "warned"
        SUSPENDED = "suspended"
        ARCHIVED = "archived"

    OWNED_KINDS = (Kind.PERSONAL, Kind.REQUESTED)  # sourced from campus's records, not from GitLab

    name = models.CharField(max_length=63, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    gitlab_id = models.BigIntegerField(null=True, blank=True)
    gitlab_path = models.CharField(max_length=1024, blank=True)
    owner = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="personal_namespaces")
    tier = models.CharField(max_length=32)
    quota_overrides = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Lifecycle (expiry and reclamation).
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    expiry_override = models.DateField(null=True, blank=True)  # set by an admin; wins over every rule
    requested_end = models.DateField(null=True, blank=True)  # a requested namespace's end, from its request
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.ACTIVE, db_index=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    extensions_used = models.PositiveSmallIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    suspended_state = models.JSONField(default=dict, blank=True)  # what suspension changed, to restore it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "gitlab_id"], condition=models.Q(gitlab_id__isnull=False),
                                    name="one_namespace_per_gitlab_entity"),
            models.UniqueConstraint(fields=["owner"], condition=models.Q(kind="personal"),
                                    name="one_personal_namespace_per_user"),
        ]

    def __str__(self) -> str:
        return self.name


class AccessToken(models.Model):
    """A kubectl token minted by campus. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="access_tokens")
    label = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)  # enough to recognise a token in the list, useless to an attacker
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class GitLabEvent(QueuedWork):
    """A system hook delivery, stored before it is answered so that none is lost; processed with retries (a
    failed one is still repaired by the periodic resync)."""

    received_at = models.DateTimeField(auto_now_add=True)
    event_name = models.CharField(max_length=64)
    payload = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_name} #{self.pk} ({self.status})"


class HeldPlan(models.Model):
    """Namespace deletions, suspensions or access removals a guard refused to apply on its own, waiting for an
    admin."""

    class Status(models.TextChoices):
        HELD = "held"
        APPROVED = "approved"
        DISCARDED = "discarded"

    class Step(models.TextChoices):
        DELETE = "delete"  # a sync's namespace deletions
        SUSPEND = "suspend"  # a reclaim run's suspensions
        RECLAIM = "reclaim"  # a reclaim run's final deletions
        REMOVE_ACCESS = "remove_access"  # a sync's removals of people from campus's RoleBindings

    created_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=64)
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.DELETE)
    reason = models.TextField()
    namespaces = models.JSONField()  # names of the namespaces the plan would change
    removals = models.JSONField(default=list, blank=True)  # remove_access: [{namespace, role, subject}]
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    decided_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"held plan #{self.pk}: {self.step} {len(self.namespaces)} namespaces ({self.status})"


class OwnershipConflict(models.Model):
    """An object campus wanted to create whose name is taken by one campus did not create: never taken over.
    Shown on the desk until campus creates its own (or, for a namespace, the tenant got another name)."""

    kind = models.CharField(max_length=64)
    namespace = models.CharField(max_length=63, blank=True)
    name = models.CharField(max_length=253)
    tenant = models.CharField(max_length=1024, blank=True)  # whom campus wanted it for
    resolution = models.TextField(blank=True)  # what campus did instead
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [models.UniqueConstraint(fields=["kind", "namespace", "name"], name="one_conflict_per_object")]

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where} is not campus's"


class NamespaceRequest(models.Model):
    """A student's request for a project namespace or for more quota; decided by policy or by an admin."""

    class Kind(models.TextChoices):
        NAMESPACE = "namespace"
        QUOTA = "quota"

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DENIED = "denied"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    requester = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="namespace_requests")
    created_at = models.DateTimeField(auto_now_add=True)
    # A namespace request: the wanted name, why, for which course, until when.
    name = models.CharField(max_length=63, blank=True)
    purpose = models.TextField(blank=True)
    course = models.CharField(max_length=200, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # A quota request: a tier and/or single values ({"requests.cpu": "4"}), with a justification.
    tier = models.CharField(max_length=32, blank=True)
    quota_values = models.JSONField(default=dict, blank=True)
    justification = models.TextField(blank=True)
    # The namespace a quota request is for, or the one an approved namespace request created.
    namespace = models.ForeignKey(ManagedNamespace, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="requests")
    decided_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    auto_approved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} request #{self.pk} by {self.requester} ({self.status})"


class Membership(models.Model):
    """Who may use a namespace and with which ClusterRole, as campus last applied it: the portal's source for
    "my namespaces". Usernames, not users: GitLab members may not have signed in to campus yet."""

    namespace = models.ForeignKey(ManagedNamespace, on_delete=models.CASCADE, related_name="memberships")
    username = models.CharField(max_length=150, db_index=True)
    role = models.CharField(max_length=32)  # view, edit, admin

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "username"], name="one_role_per_member")]

    def __str__(self) -> str:
        return f"{self.username} {self.role} in {self.namespace}"


class NamespaceUsage(models.Model):
    """What a namespace uses, from its ResourceQuota status and pods, as of the last usage collection."""

    namespace = models.OneToOneField(ManagedNamespace, on_delete=models.CASCADE, related_name="usage")
    collected_at = models.DateTimeField()
    hard = models.JSONField(default=dict)  # ResourceQuota status.hard
    used = models.JSONField(default=dict)  # ResourceQuota status.used
    pods_running = models.PositiveIntegerField(default=0)
    images = models.JSONField(default=list)  # [{"image", "pod", "container"}] of running pods

    def __str__(self) -> str:
        return f"usage of {self.namespace} at {self.collected_at:%Y-%m-%d %H:%M}"


class ExpiryWarning(models.Model):
    """A warning sent before a namespace is suspended; the unique key makes each one go out exactly once."""

    namespace = models.ForeignKey(ManagedNamespace, on_delete=models.CASCADE, related_name="expiry_warnings")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "days_before"], name="one_warning_per_day_mark")]

    def __str__(self) -> str:
        return f"{self.days_before}-day warning for {self.namespace}"
