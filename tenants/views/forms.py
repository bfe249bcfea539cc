from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from tenants.access import throttle
from tenants.access.backend import NoCampusRole
from tenants.infra.ldap import DirectoryUnavailable
from tenants.infra.settings import client_ip_header


def client_address(request) -> str:
    header = client_ip_header()
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class LoginForm(AuthenticationForm):
    """Sign-in with a university account; says plainly why a sign-in did not work."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong username or password. Use your university account.",
        "throttled": "Too many failed sign-ins. Try again in %(minutes)s minute(s).",
        "no_role": "Your university account is valid, but it is not in a group that may use campus. "
                   "Ask your course staff or the platform team to be added.",
        "directory_unavailable": "The university directory is not answering right now, so nobody can sign in. "
                                 "Please try again in a few minutes.",
    }
    status_code = 200

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the required-field errors already say what is missing
        address = client_address(self.request)
        wait = throttle.retry_after_seconds(username, address)
        if wait:
            self.status_code = 429
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled",
                                        params={"minutes": -(-wait // 60)})
        try:
            self.user_cache = authenticate(self.request, username=username, password=password)
        except DirectoryUnavailable:
            self.status_code = 503
            raise forms.ValidationError(self.error_messages["directory_unavailable"], code="directory_unavailable") \
                from None
        except NoCampusRole:
            raise forms.ValidationError(self.error_messages["no_role"], code="no_role") from None
        if self.user_cache is None:
            throttle.record_failure(username, address)
            raise self.get_invalid_login_error()
        throttle.record_success(username)
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class TokenLabelForm(forms.Form):
    label = forms.CharField(max_length=100, required=False, strip=True,
                            help_text="Optional: where you use this token, e.g. “laptop”.")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's field errors on the form; errors about other things go on top."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class NamespaceRequestForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="Letters, digits and dashes, e.g. “thesis-robot-vision”.")
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    course = forms.CharField(max_length=200, required=False, help_text="Optional: the course this is for.")
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="At the latest the end of this semester.")


QUOTA_FIELDS = {"requests_cpu": "requests.cpu", "limits_cpu": "limits.cpu", "requests_memory": "requests.memory",
                "limits_memory": "limits.memory", "requests_storage": "requests.storage", "pods": "pods"}


class QuotaRequestForm(forms.Form):
    namespace = forms.ChoiceField(help_text="Namespaces you administer.")
    tier = forms.ChoiceField(required=False)
    requests_cpu = forms.CharField(required=False, label="CPU requests (cores)", help_text="e.g. 4 or 500m")
    limits_cpu = forms.CharField(required=False, label="CPU limits (cores)")
    requests_memory = forms.CharField(required=False, label="Memory requests", help_text="e.g. 8Gi")
    limits_memory = forms.CharField(required=False, label="Memory limits")
    requests_storage = forms.CharField(required=False, label="Storage", help_text="e.g. 50Gi")
    pods = forms.CharField(required=False, label="Pods")
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, namespaces: list[str], tiers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["namespace"].choices = [(name, name) for name in namespaces]
        self.fields["tier"].choices = [("", "keep the current tier")] + [(tier, tier) for tier in tiers]

    def quota_values(self) -> dict[str, str]:
        return {key: self.cleaned_data[field].strip() for field, key in QUOTA_FIELDS.items()
                if self.cleaned_data.get(field, "").strip()}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)


class AuditFilterForm(forms.Form):
    namespace = forms.CharField(required=False, max_length=63)
    action = forms.CharField(required=False, max_length=16)
    trigger = forms.CharField(required=False, max_length=64)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
