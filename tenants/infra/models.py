"""The plumbing's tables: the audit trail and the durable job queue (registered with the `tenants` app)."""

from django.db import models


class AuditEntry(models.Model):
    """One change campus applied (or held): what, why, which trigger, when."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    trigger = models.CharField(max_length=64)  # "resync", "webhook:<event id>", "admin:<username>", ...
    action = models.CharField(max_length=16)  # create, update, delete, held, error
    kind = models.CharField(max_length=64)
    namespace = models.CharField(max_length=63, blank=True, db_index=True)
    name = models.CharField(max_length=253, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        app_label = "tenants"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.namespace}/{self.name}"


class QueuedWork(models.Model):
    """Work that must happen even if the process doing it dies: claimed with a lease, retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"  # gave up after the last retry

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Job(QueuedWork):
    """One piece of durable work for the handler registered for its kind (a signal's delivery to one receiver;
    later: builds, lease renewals, GPU windows)."""

    kind = models.CharField(max_length=128)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "tenants"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
