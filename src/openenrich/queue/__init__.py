"""Waking workers and running them. The database is the queue: contacts are claimed with a
lease, so a wake-up that is lost costs only latency, never work."""
