"""Top character n-gram coverage for a batch of documents, vectorized with numpy.

All documents are encoded once as one UTF-32 array. Each n-gram gets a 64-bit key:
the document number in the high 24 bits, a 40-bit hash of the n-gram below, so one
sort groups equal n-grams of a document together. The most frequent n-gram of each
document is read off the sorted runs, and the characters its occurrences cover
(occurrences may overlap; a covered character counts once) come from a sliding-window
sum. No Python loop runs over documents or characters.
"""

from __future__ import annotations

import numpy as np

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd constant: mixes codepoints into the hash
_GRAM_BITS = np.uint64(40)
_MAX_DOCS = 1 << 24


def _keys(codes: np.ndarray, doc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of the n-grams lying inside one document, and their start positions."""
    m = len(codes) - n + 1
    gram = codes[:m].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            gram = gram * _MIX + codes[k : k + m]
        gram = (gram * _MIX) >> (np.uint64(64) - _GRAM_BITS)
    starts = np.nonzero(doc[:m] == doc[n - 1 : n - 1 + m])[0]
    return (doc[starts].astype(np.uint64) << _GRAM_BITS) | gram[starts], starts


def top_ngram_coverage(texts: list[str], ns: list[int]) -> dict[int, np.ndarray]:
    """For each n: share (0..1) of each text's characters covered by its most frequent n-gram.

    Texts shorter than n get 0. Blanks should already be removed from ``texts``.
    """
    n_docs = len(texts)
    if n_docs > _MAX_DOCS:
        raise ValueError(f"at most {_MAX_DOCS} documents per call")
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_docs)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    result = {}
    for n in ns:
        coverage = np.zeros(n_docs)
        result[n] = coverage
        if len(codes) < n:
            continue
        keys, starts = _keys(codes, doc, n)
        if len(keys) == 0:
            continue
        ordered = np.sort(keys)
        run_start = np.concatenate(([0], np.nonzero(ordered[1:] != ordered[:-1])[0] + 1))
        run_len = np.diff(np.append(run_start, len(ordered)))
        run_key = ordered[run_start]
        run_doc = (run_key >> _GRAM_BITS).astype(np.int64)
        # the longest run of each document; ties go to the smallest key (first in order)
        best_len = np.zeros(n_docs, dtype=np.int64)
        np.maximum.at(best_len, run_doc, run_len)
        best = np.nonzero(run_len == best_len[run_doc])[0]  # sorted by (doc, key)
        first_best = best[np.concatenate(([True], run_doc[best][1:] != run_doc[best][:-1]))]
        top_key = np.zeros(n_docs, dtype=np.uint64)
        top_key[run_doc[first_best]] = run_key[first_best]
        hits = np.zeros(len(codes), dtype=np.int64)
        hit = keys == top_key[doc[starts]]
        hits[starts[hit]] = 1
        # character j is covered when an occurrence starts in [j-n+1, j]
        running = np.cumsum(hits)
        covered_mask = running - np.concatenate((np.zeros(n, dtype=np.int64), running[:-n])) > 0
        covered = np.bincount(doc[covered_mask], minlength=n_docs)
        has_gram = lengths >= n
        coverage[has_gram] = covered[has_gram] / lengths[has_gram]
    return result
