from django.db import models


class NamespaceTracing(models.Model):
    """A namespace's tracing switch (on unless a namespace admin turned it off)."""

    namespace = models.OneToOneField("tenants.ManagedNamespace", on_delete=models.CASCADE, related_name="tracing")
    enabled = models.BooleanField(default=True)
    changed_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tracing {'on' if self.enabled else 'off'} in {self.namespace_id}"
