"""Mail from templates: `templates/mail/<name>.txt`, whose first line is the subject. A mail server that is down
never undoes what the mail reports: the failure is logged (without addresses) and the caller goes on."""

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def send(template: str, context: dict, recipients: list[str]) -> bool:
    """True when the mail was handed to the mail server."""
    if not recipients:
        return False
    subject, _, body = render_to_string(f"mail/{template}.txt", context).partition("\n")
    try:
        send_mail(subject.strip(), body.lstrip("\n"), None, recipients)
    except OSError as error:
        log.warning("mail %s failed: %s", template, type(error).__name__)
        return False
    return True
