"""Alembic migrations; the schema is created only through them."""
