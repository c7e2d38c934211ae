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


_NOT_A_GRAM = np.uint64(0xFFFFFFFFFFFFFFFF)  # sorts last; its document bits exceed any document
_MIX32 = np.uint32(int(_MIX) & 0xFFFFFFFF)
_BUCKET_CELLS = 1 << 22  # bincount cells at a time for the bound that spares most texts the sort


def _keys(codes: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """Key of the n-gram starting at each position; ``_NOT_A_GRAM`` where it would cross documents."""
    m = len(codes) - n + 1
    gram = codes[:m].astype(np.uint64)
    with np.errstate(over="ignore"):
        for k in range(1, n):
            gram *= _MIX
            gram += codes[k : k + m]
        gram *= _MIX
    gram >>= np.uint64(64) - _GRAM_BITS
    gram |= np.repeat(np.arange(len(lengths), dtype=np.uint64) << _GRAM_BITS, lengths)[:m]
    # the last n - 1 positions of each document start no n-gram of it
    ends = np.cumsum(lengths)
    for k in range(1, n):
        last = ends - k
        gram[last[(last >= ends - lengths) & (last < m)]] = _NOT_A_GRAM
    return gram


def _encode(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts, one after the other, and the length of each."""
    if len(texts) >= _MAX_DOCS:
        raise ValueError(f"fewer than {_MAX_DOCS} documents per call")
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32), lengths


def _top_ngram(codes: np.ndarray, lengths: np.ndarray, n: int, coverage: bool = True
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per document: occurrences of its most frequent n-gram, and (if asked) the share of
    characters those occurrences cover."""
    n_docs = len(lengths)
    count, covered_share = np.zeros(n_docs, dtype=np.int64), np.zeros(n_docs)
    if len(codes) < n:
        return count, covered_share
    keys = _keys(codes, lengths, n)
    if coverage:  # the keys are needed again
        ordered = np.sort(keys)
    else:
        ordered = keys
        ordered.sort()
    ordered = ordered[: np.searchsorted(ordered, _NOT_A_GRAM)]
    if len(ordered) == 0:
        return count, covered_share
    run_start = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    run_len = np.diff(np.append(run_start, len(ordered)))
    run_key = ordered[run_start]
    run_doc = (run_key >> _GRAM_BITS).astype(np.int64)
    # runs are sorted by document: the longest run of each document by reduceat
    doc_first_run = np.flatnonzero(np.concatenate(([True], run_doc[1:] != run_doc[:-1])))
    count[run_doc[doc_first_run]] = np.maximum.reduceat(run_len, doc_first_run)
    if not coverage:
        return count, covered_share
    # the top n-gram of each document; ties go to the smallest key (first in order)
    best = np.flatnonzero(run_len == count[run_doc])
    first_best = best[np.concatenate(([True], run_doc[best][1:] != run_doc[best][:-1]))]
    top_key = np.full(n_docs, _NOT_A_GRAM, dtype=np.uint64)
    top_key[run_doc[first_best]] = run_key[first_best]
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    hits = np.zeros(len(codes), dtype=np.int64)
    # a text too short for any n-gram has the top key _NOT_A_GRAM, like the positions that
    # cross into the next text: without the second test its characters counted as hits and
    # the window below carried them into the next text's coverage
    hits[: len(keys)] = (keys == top_key[doc[: len(keys)]]) & (keys != _NOT_A_GRAM)
    # character j is covered when an occurrence starts in [j-n+1, j]
    running = np.cumsum(hits)
    covered_mask = running - np.concatenate((np.zeros(n, dtype=np.int64), running[:-n])) > 0
    covered = np.bincount(doc[covered_mask], minlength=n_docs)
    has_gram = lengths >= n
    covered_share[has_gram] = covered[has_gram] / lengths[has_gram]
    return count, covered_share


def top_ngram_coverage(texts: list[str], ns: list[int]) -> dict[int, np.ndarray]:
    """For each n: share (0..1) of each text's characters covered by its most frequent n-gram.

    Texts shorter than n get 0. Blanks should already be removed from ``texts``.
    """
    codes, lengths = _encode(texts)
    return {n: _top_ngram(codes, lengths, n)[1] for n in ns}


def exceeds_ngram_coverage(texts: list[str], limits: dict[int, float]) -> np.ndarray:
    """True for each text whose top n-gram coverage exceeds ``limits[n]`` for some n."""
    codes, lengths = _encode(texts)
    return exceeds_ngram_coverage_codes(codes, lengths, limits)


def exceeds_ngram_coverage_codes(codes: np.ndarray, lengths: np.ndarray, limits: dict[int, float]) -> np.ndarray:
    """``exceeds_ngram_coverage`` of texts given as code points: ``codes`` holds every text,
    one after the other, ``lengths`` their lengths.

    Prunes as it goes. Occurrences of the top n-gram cover at most count * n characters,
    so the exact coverage is computed only where that bound exceeds the limit; and no
    longer n-gram occurs more often than the top shorter one, so after each n only texts
    whose top count could still reach a later limit stay candidates. Natural text leaves few.
    """
    if len(lengths) >= _MAX_DOCS:
        raise ValueError(f"fewer than {_MAX_DOCS} documents per call")
    lengths = np.asarray(lengths, dtype=np.int64)
    over = np.zeros(len(lengths), dtype=bool)
    candidates = np.arange(len(lengths))
    ns = sorted(limits)
    for i, n in enumerate(ns):
        if len(candidates) == 0:
            break
        cand_lengths = lengths[candidates]
        later = ns[i + 1:]
        needed = min(limits[m] / m for m in later) * cand_lengths if later else None
        # Counting exactly sorts every n-gram. On the first, largest round a bound that
        # needs no sort clears most texts first: they can neither exceed this limit nor
        # reach a later one, which is what a count of 0 says below.
        count = np.zeros(len(candidates), dtype=np.int64)
        unsure = np.ones(len(candidates), dtype=bool)
        if i == 0:
            bound = _bucket_bound(*_subset(codes, lengths, candidates), n)
            unsure = bound * n > limits[n] * cand_lengths
            if needed is not None:
                unsure |= bound >= needed
        if unsure.any():
            count[unsure], _ = _top_ngram(*_subset(codes, lengths, candidates[unsure]), n, coverage=False)
        maybe = count * n > limits[n] * cand_lengths
        if maybe.any():
            suspects = candidates[maybe]
            _, share = _top_ngram(*_subset(codes, lengths, suspects), n)
            over[suspects[share > limits[n]]] = True
        if needed is not None:
            candidates = candidates[(count >= needed) & ~over[candidates]]
    return over


def _bucket_bound(codes: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """Per text, an upper bound of its top n-gram count: the fullest of the 256 buckets
    that its n-gram keys fall into by their lowest byte (equal keys share a bucket).

    That byte is bits 24-31 of the hash product, which depend only on its low 32 bits:
    computed in uint32 arithmetic it costs half of the full keys.
    """
    bound = np.zeros(len(lengths), dtype=np.int64)
    m = len(codes) - n + 1
    if m <= 0:
        return bound
    codes = codes.astype(np.uint32, copy=False)
    gram = codes[:m].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            gram *= _MIX32
            gram += codes[k : k + m]
        gram *= _MIX32
    gram >>= np.uint32(24)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    per_call = _BUCKET_CELLS // 256  # texts per bincount: bounds its memory
    for first in range(0, len(lengths), per_call):
        last = min(first + per_call, len(lengths))
        lo, hi = starts[first], min(ends[last - 1], m)
        cell = np.repeat(np.arange(last - first, dtype=np.int64) * 256, lengths[first:last])[: hi - lo]
        cell += gram[lo:hi]
        for k in range(1, n):  # the last n - 1 positions of a text start no n-gram of it
            tail = ends[first:last] - k
            tail = tail[(tail >= starts[first:last]) & (tail < hi)]
            cell[tail - lo] = (last - first) * 256  # one spare cell, not read
        counts = np.bincount(cell, minlength=(last - first) * 256 + 1)[:-1]
        bound[first:last] = counts.reshape(last - first, 256).max(axis=1)
    return bound


def _subset(codes: np.ndarray, lengths: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code points and lengths of the ``chosen`` texts (in increasing order)."""
    if len(chosen) == len(lengths):
        return codes, lengths
    keep = np.zeros(len(lengths), dtype=bool)
    keep[chosen] = True
    return codes[np.repeat(keep, lengths)], lengths[chosen]
