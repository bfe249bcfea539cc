from django.db import models


class UntracedPods(models.Model):
    """A namespace's tracing decisions counted at the last usage collection: how many running pods were traced,
    and those that ran without tracing with why (a pod started while the webhook could not be asked has no
    recorded decision)."""

    namespace = models.OneToOneField("tenants.ManagedNamespace", on_delete=models.CASCADE, related_name="untraced")
    pods = models.JSONField(default=list)  # [[pod name, reason], ...]
    traced = models.PositiveIntegerField(default=0)
    collected_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{len(self.pods)} untraced pod(s) in {self.namespace_id}"

    @property
    def running(self) -> int:
        return self.traced + len(self.pods)


class NamespaceTracing(models.Model):
    """A namespace's tracing switch (on unless a namespace admin turned it off)."""

    namespace = models.OneToOneField("tenants.ManagedNamespace", on_delete=models.CASCADE, related_name="tracing")
    enabled = models.BooleanField(default=True)
    changed_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tracing {'on' if self.enabled else 'off'} in {self.namespace_id}"
