"""Thin views, one module per concern: reads come from tenants.selectors.namespaces, writes go through services."""
