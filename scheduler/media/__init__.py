"""The media library: streamed uploads, content-based validation, derived files, public URLs."""
