"""`text2montage train dalle`, `text2montage sample`."""
