"""Build ``rules/clean/not_sentence_final.txt``: words that end in 다/요/죠/니까 but do not end a sentence.

The splitter's unpunctuated rule (``final_ending`` in ``rules/clean/sentences.yaml``) puts a
boundary after a word ending in 다, 요, 죠 or 니까: right for predicates (산다, 좋아요), wrong for
nouns, names and particles (바다, 주요, 플로리다, 기시다, "남성보다", "그날마다"). Which is which is
what a morphological analyser knows, so Kiwi decides once, here, and the answer ships as data:
every such word (its trailing run of Hangul, as the rule sees it) is analysed in the sentences it
was seen in, and it is listed when Kiwi's last morpheme in it is not a sentence-final ending (EF)
in at least ``--share`` of at least ``--min-count`` occurrences, or, seen fewer times, never an
ending in context and nothing but nouns when analysed alone; and it is not the end of a word
that mostly was a sentence end (the splitter matches listed words at the end of a run of Hangul).
The splitter then undoes the boundary after a listed word, with plain regexes at run time.

Sources: ``../shared/data`` (see its README for licences): BEEP! and K-MHaS comments, and NSMC
reviews, NANET book reviews and Wikinews articles less the ones ``benchmarks/eval_sentence_split.py``
measures the splitter on (every 200th review, the first 181 book reviews and 322 articles); and the nouns
of Kiwi's added dictionary (``default.dict``) that Kiwi reads as nouns alone. Common nouns the
corpus never showed (담요) go, by hand, into ``not_sentence_final_extra.txt``.

    python -m curate.text.build_sentence_words --out rules/clean/not_sentence_final.txt
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HELD_OUT_ARTICLES = 322  # Wikinews articles kept for evaluation (the first ones)
HELD_OUT_BOOK_REVIEWS = 181  # NANET reviews kept for evaluation (the first ones); NSMC: every 200th line
# The rule's candidates: a Hangul run ending in one of the endings, then a blank (not a line end).
CANDIDATE = re.compile(r"(?<![가-힣])([가-힣]*(?:다|요|죠|니까))(?=[ \t])")


def _texts(limit_mb: float) -> list[str]:
    csv.field_size_limit(1 << 30)
    out: list[str] = []
    with (DATA / "wikinews_ko.csv").open(encoding="utf-8") as fh:
        out += [row["내용"] for row in csv.DictReader(fh)][HELD_OUT_ARTICLES:]
    with (DATA / "nanet_book_reviews.csv").open(encoding="utf-8") as fh:
        out += [row["내용"] for row in csv.DictReader(fh)][HELD_OUT_BOOK_REVIEWS:]
    with (DATA / "kmhas_valid.tsv").open(encoding="utf-8") as fh:
        out += [line.split("\t", 1)[0] for line in fh][1:]
    with (DATA / "beep_train.tsv").open(encoding="utf-8") as fh:
        out += [line.split("\t", 1)[0] for line in fh][1:]
    budget = limit_mb * 1e6 - sum(len(t.encode()) for t in out)
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if budget <= 0:
                break
            if i % 200 == 0:  # the evaluation's sample of reviews
                continue
            text = json.loads(line)["text"]
            out.append(text)
            budget -= len(text.encode())
    return out


def count_words(kiwi, texts: list[str]) -> tuple[Counter, Counter]:
    """(seen, not_final): occurrences of each candidate word, and those Kiwi does not end with EF."""
    seen: Counter = Counter()
    not_final: Counter = Counter()
    for text, tokens in zip(texts, kiwi.tokenize(texts), strict=True):
        last_tag = {t.start + t.len: t.tag for t in tokens}  # morpheme end offset -> its tag
        for match in CANDIDATE.finditer(text):
            word = match.group(1)
            tag = last_tag.get(match.end(1))
            if tag is None:  # Kiwi joined or split differently here: no evidence
                continue
            seen[word] += 1
            if not tag.startswith("EF"):
                not_final[word] += 1
    return seen, not_final


def _lexicon_nouns(kiwi, seen: Counter, not_final: Counter) -> set[str]:
    """Proper and common nouns of Kiwi's own added dictionary (``default.dict``: 하네다) that end
    like a predicate, when Kiwi reads them alone as nouns and the corpus never showed them as one."""
    import kiwipiepy_model

    path = Path(kiwipiepy_model.__file__).parent / "default.dict"
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        form, _, rest = line.partition("\t")
        if rest.startswith("NN") and re.fullmatch(r"[가-힣]+(?:다|요|죠|니까)", form):
            entries.add(form)
    entries = sorted(w for w in entries if seen[w] == not_final[w])  # never an ending where seen
    return {w for w, tokens in zip(entries, kiwi.tokenize(entries), strict=True)
            if tokens and all(t.tag.startswith(("NN", "NR", "NP")) for t in tokens)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("rules/clean/not_sentence_final.txt"))
    parser.add_argument("--limit-mb", type=float, default=12.0, help="text analysed, NSMC filling the rest")
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--share", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=args.workers)
    texts = _texts(args.limit_mb)
    seen, not_final = count_words(kiwi, texts)
    words = {w for w, n in not_final.items() if n >= args.min_count and n / seen[w] >= args.share}
    # Seen too rarely to count: listed when Kiwi found no ending in context every time and reads
    # the word alone as nouns only (하네다, 담요, 대중가요), never for a word that could be a predicate.
    rare = sorted(w for w, n in not_final.items() if w not in words and n == seen[w])
    words |= {w for w, tokens in zip(rare, kiwi.tokenize(rare), strict=True)
              if tokens and all(t.tag.startswith(("NN", "NR", "NP")) for t in tokens)}
    words |= _lexicon_nouns(kiwi, seen, not_final)
    # The splitter matches a listed word at the end of any run of Hangul (one literal alternation is
    # fast): so no word may end a word that Kiwi mostly read as a sentence end ("보다" of "살펴보다").
    endings = {w for w, n in seen.items() if seen[w] - not_final[w] >= n / 2}
    words = sorted(w for w in words if not any(x != w and x.endswith(w) for x in endings))
    header = [
        "# Words ending in 다/요/죠/니까 that do not end a sentence (nouns, names, particles, connectives):",
        "# the splitter undoes an unpunctuated boundary after them. Generated, do not edit by hand:",
        f"#   python -m curate.text.build_sentence_words --limit-mb {args.limit_mb:g} "
        f"--min-count {args.min_count} --share {args.share:g}",
        f"# from {len(texts):,} texts of ../shared/data (K-MHaS, BEEP!; Wikinews, NANET, NSMC less the eval's)",
        "# and from Kiwi's default.dict,",
        f"# {sum(seen.values()):,} candidate occurrences of {len(seen):,} distinct words; Kiwi decides each.",
    ]
    args.out.write_text("\n".join([*header, *words]) + "\n", encoding="utf-8")
    print(f"{len(words):,} words -> {args.out}")


if __name__ == "__main__":
    main()
