"""The platform on top of the federation engine: tokens, tenancy, fund-recovery alerts, city rollups."""
