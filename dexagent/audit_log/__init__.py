"""Tamper-evident audit log (issue 4)."""
