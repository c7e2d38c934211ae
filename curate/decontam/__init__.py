"""Benchmark decontamination: which benchmark items leaked into a corpus, where, and how closely.

- ``adapters``: benchmark layouts as data (``rules/decontaminate/benchmarks.yaml``): the fields
  that form an item (texts, question, gold answer), its id, its splits.
- ``readers``: the Hugging Face on-disk layouts (Parquet, JSONL, CSV, ``save_to_disk`` Arrow).
- ``items``: a benchmark file read through its adapter, as items and their probes (one text
  field of one item, normalized).
- ``hashing``: polynomial hashes of any substring of normalized text in O(1) from prefix sums.
- ``index``: the probes' long n-grams, whole short probes and answers as flat arrays, built once
  per run and memory-mapped by every worker.
- ``match``: a batch of texts against the index: overlap, overlap with the answer nearby, whole
  short items.
- ``similar``: the optional paraphrase stage (character n-gram cosine).
"""
