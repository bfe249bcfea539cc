"""Thin views, one module per concern: reads come from tenants.selectors, writes go through services."""
