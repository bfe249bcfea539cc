"""Signing in: the LDAP directory adapter, role mapping, the auth backend and login throttling."""
