"""Bulk enrichments: endpoints, validation, jobs state, result assembly."""
