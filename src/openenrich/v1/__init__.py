"""FullEnrich's v1 API for legacy clients: a translation layer over the v2 services."""
