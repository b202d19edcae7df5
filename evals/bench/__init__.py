"""Performance benchmark: warm answers against a plain baseline, cold start, ingest and growth to 100k chunks."""
