"""Plumbing every service shares, written once: config, auth, tenancy, db, errors, audit, events."""
