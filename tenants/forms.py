from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from tenants.auth import throttle
from tenants.auth.backend import NoCampusRole
from tenants.auth.ldap_directory import DirectoryUnavailable


def client_address(request) -> str:
    header = settings.CAMPUS_CLIENT_IP_HEADER
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
