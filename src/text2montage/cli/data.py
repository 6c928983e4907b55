"""`text2montage data ...` commands."""
