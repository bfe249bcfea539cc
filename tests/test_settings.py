"""Settings read from the environment: required values and bad values fail loudly at start."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from campus.env import database_from_url, env_bool, env_int


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUS_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-c", "import campus.settings"], env={**clean, **env},
                          capture_output=True, text=True)


def test_secret_key_is_required_outside_the_demo():
    result = load_settings()
    assert result.returncode != 0 and "CAMPUS_SECRET_KEY is required" in result.stderr


def test_demo_runs_without_a_secret_key():
    assert load_settings(CAMPUS_DEMO="1").returncode == 0


def test_database_url_forms():
    pg = database_from_url("postgresql://campus:p%40ss@db.example:5433/campus")
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql", "campus", "p@ss", "db.example", "5433", "campus")
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with"):
        database_from_url("mysql://x@y/z")


def test_bad_boolean_and_number_are_named(monkeypatch):
    monkeypatch.setenv("CAMPUS_DEBUG", "maybe")
    monkeypatch.setenv("CAMPUS_LDAP_TIMEOUT_SECONDS", "5s")
    with pytest.raises(ImproperlyConfigured, match="CAMPUS_DEBUG must be true or false"):
        env_bool("CAMPUS_DEBUG")
    with pytest.raises(ImproperlyConfigured, match="CAMPUS_LDAP_TIMEOUT_SECONDS must be a whole number"):
        env_int("CAMPUS_LDAP_TIMEOUT_SECONDS", 5)
