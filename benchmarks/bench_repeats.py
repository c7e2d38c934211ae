"""Repeat normalization (normalize's ``max_repeat``) and tokenizer vocabulary waste.

Trains the project's tokenizer (BPE on Kiwi morphemes) on NSMC reviews as they are and after
``normalize`` with ``max_repeat`` 3, and counts vocabulary entries that are nothing but one of
``repeat_chars`` repeated (ㅋㅋㅋㅋ, !!!!, ㅠㅠㅠ): entries spent on run lengths. Also prints the
share of reviews changed and normalize's MB/s with and without the option.

    python benchmarks/bench_repeats.py --reviews 100000 --vocab 8000
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from pathlib import Path

import polars as pl

from curate.rules import load_yaml
from curate.steps.normalize import Normalize
from curate.tokenizer.build import TrainOptions, train_from_texts

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--vocab", type=int, default=8_000)
    parser.add_argument("--max-repeat", type=int, default=3)
    args = parser.parse_args()
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line, _ in zip(fh, range(args.reviews), strict=False)]
    frame = pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    mb = frame["text"].str.len_bytes().sum() / 1e6
    chars = load_yaml("clean/normalize.yaml")["repeat_chars"]
    only_repeats = re.compile(f"[{re.escape(chars)}]{{2,}}")
    print(f"{len(texts):,} NSMC reviews, {mb:.1f} MB; repeat_chars {chars!r}; vocab {args.vocab:,}\n")
    print("| normalize | MB per CPU-s | reviews changed | vocab entries of repeats only | longest such entry |")
    print("|---|---|---|---|---|")
    for max_repeat in (None, args.max_repeat):
        step = Normalize(max_repeat=max_repeat)
        t0 = time.process_time()
        out = step.process(frame)
        seconds = time.process_time() - t0
        changed = int((out.df["text"] != frame["text"]).sum())
        tokenizer = train_from_texts(out.df["text"], TrainOptions(vocab_size=args.vocab, n_workers=1)).tokenizer
        pieces = [tokenizer.decode([i]) for i in range(tokenizer.get_vocab_size())]
        waste = [p for p in pieces if only_repeats.fullmatch(p.strip())]
        longest = max(waste, key=len, default="")
        label = "as is" if max_repeat is None else f"max_repeat {max_repeat}"
        print(f"| {label} | {mb / seconds:.1f} | {changed:,} | {len(waste)} | {longest!r} |")


if __name__ == "__main__":
    main()
