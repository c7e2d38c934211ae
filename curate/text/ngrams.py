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


def _encode(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if len(texts) > _MAX_DOCS:
        raise ValueError(f"at most {_MAX_DOCS} documents per call")
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    return codes, doc, lengths


def _top_ngram(codes: np.ndarray, doc: np.ndarray, lengths: np.ndarray, n: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per document: occurrences of its most frequent n-gram, and the share of characters they cover."""
    n_docs = len(lengths)
    count, coverage = np.zeros(n_docs, dtype=np.int64), np.zeros(n_docs)
    if len(codes) < n:
        return count, coverage
    keys, starts = _keys(codes, doc, n)
    if len(keys) == 0:
        return count, coverage
    ordered = np.sort(keys)
    run_start = np.concatenate(([0], np.nonzero(ordered[1:] != ordered[:-1])[0] + 1))
    run_len = np.diff(np.append(run_start, len(ordered)))
    run_key = ordered[run_start]
    run_doc = (run_key >> _GRAM_BITS).astype(np.int64)
    # the longest run of each document; ties go to the smallest key (first in order)
    np.maximum.at(count, run_doc, run_len)
    best = np.nonzero(run_len == count[run_doc])[0]  # sorted by (doc, key)
    first_best = best[np.concatenate(([True], run_doc[best][1:] != run_doc[best][:-1]))]
    top_key = np.zeros(n_docs, dtype=np.uint64)
    top_key[run_doc[first_best]] = run_key[first_best]
    hits = np.zeros(len(codes), dtype=np.int64)
    hits[starts[keys == top_key[doc[starts]]]] = 1
    # character j is covered when an occurrence starts in [j-n+1, j]
    running = np.cumsum(hits)
    covered_mask = running - np.concatenate((np.zeros(n, dtype=np.int64), running[:-n])) > 0
    covered = np.bincount(doc[covered_mask], minlength=n_docs)
    has_gram = lengths >= n
    coverage[has_gram] = covered[has_gram] / lengths[has_gram]
    return count, coverage


def top_ngram_coverage(texts: list[str], ns: list[int]) -> dict[int, np.ndarray]:
    """For each n: share (0..1) of each text's characters covered by its most frequent n-gram.

    Texts shorter than n get 0. Blanks should already be removed from ``texts``.
    """
    codes, doc, lengths = _encode(texts)
    return {n: _top_ngram(codes, doc, lengths, n)[1] for n in ns}


def exceeds_ngram_coverage(texts: list[str], limits: dict[int, float]) -> np.ndarray:
    """True for each text whose top n-gram coverage exceeds ``limits[n]`` for some n.

    Prunes as it goes: occurrences of the top n-gram number at least coverage * length / n,
    and no (n+1)-gram occurs more often than the top n-gram. After each n, only texts whose
    top count could still reach a later limit are examined, which on natural text leaves few.
    """
    over = np.zeros(len(texts), dtype=bool)
    candidates = np.arange(len(texts))
    ns = sorted(limits)
    for i, n in enumerate(ns):
        if len(candidates) == 0:
            break
        codes, doc, lengths = _encode([texts[j] for j in candidates])
        count, coverage = _top_ngram(codes, doc, lengths, n)
        over[candidates[coverage > limits[n]]] = True
        later = ns[i + 1:]
        if later:
            needed = min(limits[m] / m for m in later) * lengths
            candidates = candidates[(count >= needed) & ~over[candidates]]
    return over
