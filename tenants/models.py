from django.db import models


class LoginFailure(models.Model):
    """One failed sign-in, counted per username and per client address to throttle guessing."""

    key = models.CharField(max_length=200, db_index=True)  # "user:<name>" or "addr:<ip>"
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M:%S}"
