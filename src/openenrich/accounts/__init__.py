"""Workspaces, API keys (stored hashed) and the credit ledger."""
