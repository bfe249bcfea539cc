"""Production settings with a throwaway secret and a real, throwaway PostgreSQL as the database.

The cluster starts when settings load (once per test process), before Django opens any connection.
"""

import atexit
import os

from devstack.postgres import PostgresServer

TEST_POSTGRES = PostgresServer().start()
atexit.register(TEST_POSTGRES.stop)
os.environ["DATABASE_URL"] = TEST_POSTGRES.url("campus")
os.environ.setdefault("CAMPUS_SECRET_KEY", "tests-only-secret")

from campus.settings import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
