"""Production settings with a throwaway secret; the database and LDAP are pointed at fixtures by conftest."""

import os

os.environ.setdefault("CAMPUS_SECRET_KEY", "tests-only-secret")

from campus.settings import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; campus stores no passwords
