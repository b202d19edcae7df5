"""The stored index: the Chroma client, the embedding model, and the in-memory snapshot of the collection."""
