"""Contact files: reading CSVs as people have them, mapping their columns to contact
fields, the result columns, and the resumable enrichment of a whole file. No terminal or
web concerns here: the `enrich` command and the dashboard both build on it."""
