"""`text2montage train vqgan`, `eval vqgan`, `vqgan encode/decode`, `data extract-codes`."""
