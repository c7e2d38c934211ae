"""Near-duplicate detection and benchmark decontamination.

- ``normalize``: the text normalization both use (spacing, punctuation, width and case do not count).
- ``shingles``: character n-gram hashes of many texts at once (numpy, no per-document loop).
- ``minhash``: MinHash signatures and LSH band hashes from those shingles.
- ``components``: connected components of the verified pairs (the clusters).
- ``ngram_index``: n-gram indexes of evaluation sets; overlap and cosine against them.
- ``arrays``: sort-based unique and membership on numpy arrays.
"""
