"""The privacy package's own tables: none holds a person's data in the clear."""

EXEMPT = {
    "optout_entries": "keyed digests of normalised identifiers",
    "audit_events": "actors, actions, and keyed digests where the subject is a person",
    "workspace_privacy": "per-workspace switches",
}
