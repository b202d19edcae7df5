"""Writes the index: load documents, split them by headings, embed the chunks and store them in Chroma."""
