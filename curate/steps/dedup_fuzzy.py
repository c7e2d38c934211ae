"""dedup_fuzzy: near-duplicate removal with MinHash + LSH over character n-grams.

Texts are normalized (NFKC, lowercase, only letters and digits: see
``curate.dedup.normalize``) so that spacing and punctuation edits do not matter, then
shingled into character ``ngram``s. ``summarize`` computes per document the LSH band
hashes (``bands`` x ``rows`` MinHash values) and, when ``verify`` is on, the signature
(16 low bits of each value: 2 bytes a permutation; equal-by-chance adds 2**-16 to the
estimate). ``reduce`` pairs documents sharing a band bucket, ``finish`` keeps pairs whose
estimated Jaccard is at least ``threshold`` (all candidate pairs when ``verify`` is
off) and takes connected components as clusters.

Keep rule: in every cluster the first document in input order, the lowest
(``_shard``, ``_row``), is kept; the others are dropped with reason ``near_duplicate``.
The rule is the same on every executor and does not depend on batch sizes.

Defaults: 5-character shingles, 25 bands x 4 rows (100 permutations; the LSH S-curve
crosses 0.5 near Jaccard 0.45, so pairs at 0.6 are candidates with probability 0.97),
verified at estimated Jaccard 0.6. Character 5-grams are strict on short texts: one
inserted phrase in a 70-character review already costs ~0.2 of Jaccard, hence 0.6
rather than the 0.7-0.8 used with word shingles on long web pages.

Distributed (``curate.executors.shuffle``): round 0 shuffles the band rows (26 bytes each,
``bands`` a document) by bucket, so each partition's reduce finds the candidate pairs of its
buckets (a star from each bucket's first document: linear in the bucket, and every bucket
stays connected); with ``verify``, round 1 brings each pair's two signatures together in the
partition of its first document (which sends its signature once, however many pairs it heads;
only documents in a pair are shingled again) and checks the estimated Jaccard. Only the pairs
meet in one task (``finish``), which looks up the ids of their documents shard by shard and
takes connected components over the verified pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from curate.dedup.arrays import member, unique_sorted
from curate.dedup.components import component_labels
from curate.dedup.minhash import band_hashes, signatures
from curate.dedup.shingles import shingle_hashes
from curate.steps import register
from curate.steps.base import GlobalStep, StepOutput
from curate.steps.filter import drop_reason

REASON = "near_duplicate"
CLUSTER = "dedup_fuzzy_cluster"
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads (band, hash) over the partitions
POSITION = ["_shard", "_row"]
EXAMPLES_PER_BATCH = 3
MEMBERS_PER_EXAMPLE = 5


def _pair_key(u: np.ndarray) -> np.ndarray:
    """The shuffle key of round 1: a pair's first document, mixed so partitions stay even."""
    key = u.astype(np.uint64) * _MIX
    return key ^ (key >> np.uint64(29))


def position_keys(shard: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One sortable int64 per (_shard, _row)."""
    return (shard.astype(np.int64) << 32) | row.astype(np.int64)


def _cluster_of(keys: np.ndarray, state: DedupState) -> pl.Series:
    """Each row's cluster id (the id of the document its cluster keeps), null outside clusters."""
    out = pl.Series(CLUSTER, [None] * len(keys), dtype=pl.Utf8)
    members = state.member_keys
    if members is None or len(members) == 0 or state.member_cluster is None:
        return out
    at = np.minimum(np.searchsorted(members, keys), len(members) - 1)
    found = np.flatnonzero(members[at] == keys)
    return out.scatter(found, pl.Series(state.member_cluster[at[found]], dtype=pl.Utf8)) if len(found) else out


@dataclass
class DedupState:
    """What ``reduce`` decided, compact enough to send with every batch.

    ``clusters`` (one row per cluster: the kept document's _shard, _row and id as
    ``cluster_id``, ``size``, ``removed_ids``) is for the driver's report and is not
    pickled: workers only need the sorted position keys and a few examples per shard.
    """

    drop_keys: np.ndarray  # sorted position keys of the rows to drop
    kept_keys: np.ndarray  # sorted position keys of the rows each cluster keeps
    examples: dict[int, list[dict[str, Any]]]  # per shard: its first clusters, ids only
    clusters: pl.DataFrame | None
    candidate_pairs: int
    verified_pairs: int
    # with annotate: every clustered document's position key (sorted) and its cluster's id
    member_keys: np.ndarray | None = None
    member_cluster: np.ndarray | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "clusters": None}


@register
class DedupFuzzy(GlobalStep):
    name: ClassVar[str] = "dedup_fuzzy"

    ngram: int = Field(5, ge=2, le=32, description="characters per shingle (after normalization)")
    bands: int = Field(25, ge=1, le=512)
    rows: int = Field(4, ge=1, le=64, description="signature values per band")
    threshold: float = Field(0.6, ge=0.0, le=1.0, description="min estimated Jaccard of a verified pair")
    verify: bool = Field(True, description="check candidate pairs by estimated Jaccard")
    seed: int = Field(0, description="seed of the MinHash permutations")
    drop: bool = Field(True, description="false: near-duplicates stay, marked in dedup_fuzzy_reason")
    annotate: bool = Field(False, description="write dedup_fuzzy_cluster: the id of the document each "
                                              "cluster keeps, on every member (null: in no cluster)")

    def columns_written(self) -> tuple[str, ...]:
        return super().columns_written() + ((CLUSTER,) if self.annotate else ())

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    def _band_columns(self) -> list[str]:
        return [f"_band{b}" for b in range(self.bands)]

    def gathered(self) -> bool:
        return True  # the pairs meet in finish: connected components run over them only

    def shuffle_rounds(self) -> int:
        # verifying a pair needs both signatures: a second round brings them together by pair
        return 2 if self.verify else 1

    def summarize(self, df: pl.DataFrame, round: int = 0, previous: Any = None
                  ) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
        """Round 0, shuffled: one row per (document with shingles, band); ``_key`` mixes the band
        number and its hash, so a bucket's members meet in one partition. Kept with the shard:
        position and id of every document, for ``finish`` to look up. Round 1 (verify): the
        signature of each document of this shard that is in a candidate pair, keyed by the pair."""
        position = position_keys(df["_shard"].to_numpy(), df["_row"].to_numpy())
        if round == 1:
            return self._signatures_for(df, position, previous)
        shingles = shingle_hashes(df["text"], self.ngram, short="whole")  # normalizes
        bands = band_hashes(signatures(shingles, self.num_perm, self.seed), self.bands, self.rows)
        valid = np.flatnonzero(shingles.sizes > 0)
        band_no = np.tile(np.arange(self.bands, dtype=np.uint64), len(valid))
        hashes = bands[valid].astype(np.uint64, copy=False).ravel()
        rows = pl.DataFrame({"_key": (hashes ^ (band_no * _MIX)) * _MIX, "_band": band_no.astype(np.uint16),
                             "_hash": hashes, "_pos": np.repeat(position[valid], self.bands)})
        return rows, pl.DataFrame({"_pos": position, "id": df["id"].cast(pl.Utf8)})

    def _signatures_for(self, df: pl.DataFrame, position: np.ndarray, requests: pl.DataFrame) -> pl.DataFrame:
        """This shard's signatures for candidate pairs, keyed by the pair's first document ``u`` (so
        a pair's two ends meet in u's partition): one row per document that is a ``u`` (however many
        pairs it heads: the first copy of a common text can head thousands), and one per pair whose
        ``v`` is here. Only those documents are shingled again."""
        heads = requests.filter(pl.col("_end") == 0).select(pl.col("u").alias("_pos")).unique()
        tails = requests.filter(pl.col("_end") == 1).select("u", "v", pl.col("v").alias("_pos"))
        needed = unique_sorted(np.concatenate([heads["_pos"].to_numpy(), tails["_pos"].to_numpy()]))
        rows = np.searchsorted(position, needed)  # positions are sorted: _row ascends within a shard
        sig = signatures(shingle_hashes(df["text"].gather(rows), self.ngram, short="whole"), self.num_perm, self.seed)
        table = pl.DataFrame({"_pos": needed, "_sig": pl.Series(sig.astype(np.uint16))})
        ends = pl.concat([heads.select(pl.col("_pos").alias("u"), pl.lit(-1, pl.Int64).alias("v"), "_pos",
                                       pl.lit(0, pl.Int8).alias("_end")),
                          tails.select("u", "v", "_pos", pl.lit(1, pl.Int8).alias("_end"))])
        joined = ends.join(table, on="_pos", how="left", maintain_order="left")
        return joined.select(pl.Series("_key", _pair_key(joined["u"].to_numpy())), "u", "v", "_end", "_sig")

    def reduce(self, rows: pl.DataFrame, round: int = 0) -> pl.DataFrame:
        """Round 0: candidate pairs of one partition's buckets, each member with its bucket's first
        document in input order (a star: linear in the bucket's size, and the first is the copy
        the keep rule keeps); with verify, sent to the shards of both ends (a head once). Round 1: each pair's
        two signatures -> verified or not (estimated Jaccard >= ``threshold``)."""
        if round == 1:
            heads = rows.filter(pl.col("_end") == 0).unique("u").select("u", pl.col("_sig").alias("_head"))
            pairs = (rows.filter(pl.col("_end") == 1).unique(["u", "v"]).sort(["u", "v"])
                     .join(heads, on="u", how="left", maintain_order="left"))
            same = (pairs["_head"].to_numpy() == pairs["_sig"].to_numpy()).mean(axis=1) if pairs.height else []
            return pairs.select("u", "v", pl.Series("verified", np.asarray(same) >= self.threshold, dtype=pl.Boolean))
        # A bucket's rows made contiguous by one sort, its first position carried forward: a third
        # of the memory of a windowed min over (band, hash), and faster. _key first: it mixes band
        # and hash into one column, so the sort rarely looks further.
        ordered = rows.select("_key", "_band", "_hash", "_pos").sort(["_key", "_band", "_hash", "_pos"])
        starts = ((pl.col("_band") != pl.col("_band").shift(1)) | (pl.col("_hash") != pl.col("_hash").shift(1)))
        first = pl.when(starts.fill_null(True)).then(pl.col("_pos")).forward_fill()
        pairs = (ordered.select(first.alias("u"), pl.col("_pos").alias("v"))
                 .filter(pl.col("u") != pl.col("v")).unique().sort(["u", "v"]))
        if not self.verify:
            return pairs.with_columns(pl.lit(True).alias("verified"))
        # Each end goes to its document's shard: a pair's v with the pair, its head u once (the first
        # copy of a common text heads thousands of pairs; one row a pair would pile up on its shard).
        heads = pairs.select("u").unique(maintain_order=True).with_columns(pl.lit(-1, pl.Int64).alias("v"))
        return pl.concat([frame.with_columns((pl.col(end) // (1 << 32)).alias("_shard"),  # the end's shard
                                             pl.lit(k, pl.Int8).alias("_end"))
                          for k, (frame, end) in enumerate(((heads, "u"), (pairs, "v")))])

    def shard_result(self, rows: pl.DataFrame, round: int = 0, previous: Any = None) -> pl.DataFrame:
        return rows.select("u", "v", "_end")  # the pair ends this shard's signatures must join

    def finish(self, results: pl.DataFrame, keep: Callable[[list[int]], pl.DataFrame]) -> DedupState:
        """Pairs (u, v, verified) of every partition -> connected components over the verified
        ones; only the ids of documents in a verified pair are looked up."""
        # Verified pairs live in one partition each (their first document's); unverified ones come
        # from every band's partition they share a bucket in.
        pairs = results if self.verify else results.unique(["u", "v"])
        candidates = pairs.height
        edges = pairs.filter(pl.col("verified")).sort(["u", "v"])  # unverified pairs join nothing
        u_pos, v_pos = edges["u"].to_numpy(), edges["v"].to_numpy()
        nodes = unique_sorted(np.concatenate([u_pos, v_pos]))  # documents with a verified pair, input order
        looked_up = self._look_up(nodes, keep)
        u, v = np.searchsorted(nodes, u_pos), np.searchsorted(nodes, v_pos)
        label = component_labels(len(nodes), u, v)
        duplicate = np.flatnonzero(label != np.arange(len(nodes)))
        members = pl.DataFrame({"_kept": label[duplicate], "removed_id": looked_up["id"].gather(duplicate)})
        clusters = (members.group_by("_kept", maintain_order=True)
                    .agg(size=pl.len() + 1, removed_ids=pl.col("removed_id"))
                    .sort("_kept"))
        kept_rows = clusters["_kept"].to_numpy()
        kept_pos = nodes[kept_rows]
        clusters = pl.concat([pl.DataFrame({"_shard": kept_pos >> 32, "_row": kept_pos & 0xFFFFFFFF,
                                            "cluster_id": looked_up["id"].gather(kept_rows)}),
                              clusters.drop("_kept")], how="horizontal")
        examples: dict[int, list[dict[str, Any]]] = {}
        for shard, cluster_id, size, removed in clusters.select(
                "_shard", "cluster_id", "size", pl.col("removed_ids").list.head(MEMBERS_PER_EXAMPLE)
        ).group_by("_shard", maintain_order=True).head(EXAMPLES_PER_BATCH).iter_rows():
            examples.setdefault(shard, []).append(
                {"cluster_id": cluster_id, "size": size, "removed_ids": removed})
        members = (nodes, looked_up["id"].gather(label).to_numpy()) if self.annotate else (None, None)
        return DedupState(drop_keys=np.sort(nodes[duplicate]), kept_keys=np.sort(kept_pos),
                          examples=examples, clusters=clusters, candidate_pairs=candidates,
                          verified_pairs=len(u), member_keys=members[0], member_cluster=members[1])

    @staticmethod
    def _look_up(nodes: np.ndarray, keep: Callable[[list[int]], pl.DataFrame]) -> pl.DataFrame:
        """The kept rows (id, signature) of ``nodes``, in ``nodes`` order, one shard at a time
        so that only the documents with a candidate pair are ever held."""
        if len(nodes) == 0:
            return pl.DataFrame({"_pos": pl.Series([], dtype=pl.Int64), "id": pl.Series([], dtype=pl.Utf8)})
        wanted = pl.Series(nodes).implode()
        found = [keep([shard]).filter(pl.col("_pos").is_in(wanted)) for shard in np.unique(nodes >> 32).tolist()]
        return pl.concat(found).sort("_pos")

    def partition_state(self, state: DedupState, shards: list[int]) -> dict[int, DedupState]:
        def split(keys: np.ndarray, values: np.ndarray | None = None) -> dict[int, np.ndarray]:
            owner = keys >> 32  # position keys are (shard << 32) | row, sorted
            left, right = np.searchsorted(owner, shards, "left"), np.searchsorted(owner, shards, "right")
            held = keys if values is None else values
            return {s: held[a:b] for s, a, b in zip(shards, left, right, strict=True)}

        drop, kept = split(state.drop_keys), split(state.kept_keys)
        members: dict[int, Any] = dict.fromkeys(shards)
        clusters: dict[int, Any] = dict.fromkeys(shards)
        if state.member_keys is not None:
            members, clusters = split(state.member_keys), split(state.member_keys, state.member_cluster)
        return {s: DedupState(drop_keys=drop[s], kept_keys=kept[s], examples={s: state.examples.get(s, [])},
                              clusters=None, candidate_pairs=state.candidate_pairs,
                              verified_pairs=state.verified_pairs, member_keys=members[s],
                              member_cluster=clusters[s]) for s in shards}

    def tables(self, state: DedupState) -> dict[str, pl.DataFrame]:
        """Every cluster: the kept document's position and id, its size and the removed ids."""
        return {"clusters": state.clusters} if state.clusters is not None else {}

    def apply(self, df: pl.DataFrame, state: DedupState) -> StepOutput:
        keys = position_keys(df["_shard"].to_numpy(), df["_row"].to_numpy())
        flagged = member(keys, state.drop_keys)
        out = df.with_columns(drop_reason([(REASON, pl.Series(flagged))]))
        if self.annotate:
            out = out.with_columns(_cluster_of(keys, state))
        candidates = [e for shard in np.unique(df["_shard"].to_numpy()).tolist()
                      for e in state.examples.get(shard, [])]
        here = set(df["id"].to_list()) if candidates else set()
        examples = [e for e in candidates if e["cluster_id"] in here][:EXAMPLES_PER_BATCH]
        counters = {"near_duplicates_removed": int(flagged.sum()),
                    "clusters": int(member(keys, state.kept_keys).sum())}
        return StepOutput(out, counters=counters, examples=examples)

