"""Reverse email lookup: from an email address to the person's profile."""
