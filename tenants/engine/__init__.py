"""The tenancy engine's pure core: names, tiers, memberships, desired objects and plans over plain data."""
