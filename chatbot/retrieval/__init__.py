"""Finding passages: dense search, BM25 and their fusion."""
