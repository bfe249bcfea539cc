"""Development stack: real local services (slapd, PostgreSQL) and loopback stand-ins.

Used by tests, `make demo` and the benchmarks. Product code (`campus/`, `tenants/`) never
imports this package: it reaches these services only through configuration.
"""
