"""Build the statistics of the opt-in ``person`` type (curate/pii/person/) from name lists and
real text, deterministically:

* ``person_given_syllables.tsv``: how many distinct given names have each syllable first and
  second. Names: rules/pii/person_given_names.txt (written by hand), Faker ko_KR's given names,
  and the given names of the corpus's names (below).
* ``person_text_syllables.tsv``: how often each syllable stands first, second, third in the
  corpus's words of two and three syllables (a word less a particle): the "ordinary word" side
  of the name-likeness ratio (a name's syllables against a word's).
* ``person_common_words.txt``: words of the corpus that start with a surname syllable and read
  like a name (a surname and one or two given-name syllables, the ratio at least what the
  contexts ``COMMON_LEVELS`` ask), but that Kiwi, reading them in their sentences, mostly takes for other
  words (이영화: 이/MM 영화/NNG; 이상하: 이상/NNG 하/XSA; 정주행: 정/NNG 주행/NNG); at least
  ``COMMON_MIN`` times: never names without a naming word beside them.

The corpus: the first ``NSMC_REVIEWS`` NSMC reviews and every Wikinews article, from
../shared/data (read, never copied; only counts and common words are written). Its names: words
of a surname and two syllables written before a title or 씨/님 (rules/pii/person_titles.txt)
that Kiwi, in context, mostly tags as one proper noun (NNP). The evaluation's parts
(benchmarks/pii_eval/person_eval.py) read other slices for dev2 (NSMC from review 500,000 on,
BEEP! unlabelled comments) and other files for heldout (K-MHaS, BEEP! train, NANET).

    python rules/pii/build_person_stats.py    # about two minutes on one core
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO.parent / "shared" / "data"
NSMC_REVIEWS = 200_000
COMMON_MIN = 3  # occurrences in the corpus
# last syllables of rules/pii/person_word_ends.txt that end many given names too (상구, 길동, 규리)
NAME_ENDS = "구국도동리사서소실원위장지한"
COMMON_WORDLIKE = 0.6  # share of them Kiwi reads as another word
# name-likeness (person.name_ratio) below which a word needs no listing: the least that the contexts
# the list serves ask (a list, a bare word, a role without a colon), read from the rules
COMMON_LEVELS = ("medium", "list", "bare")


def read_names() -> list[str]:
    from faker.providers.person.ko_KR import Provider

    names = set()
    for line in (HERE / "person_given_names.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            names.update(line.split())
    names.update(Provider.first_names_male)
    names.update(Provider.first_names_female)
    return sorted(n for n in names if len(n) == 2)


def corpus() -> list[str]:
    texts = []
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= NSMC_REVIEWS:
                break
            text = json.loads(line).get("text")
            if isinstance(text, str) and text:
                texts.append(text)
    with (DATA / "wikinews_ko.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts += [p.strip() for p in (row.get("내용") or "").split("\n") if p.strip()]
    return texts


_WORD = re.compile(r"[가-힣]+")


def stems(word: str, particles: tuple[str, ...]) -> set[str]:
    """The word and the word less each particle it may end in."""
    return {word} | {word[: -len(p)] for p in particles if word.endswith(p) and len(word) > len(p)}


def kiwi_pass(texts: list[str], particles: tuple[str, ...], surnames: set[str]):
    """Counts over the corpus's Hangul words: positional syllable counts of 2- and 3-syllable
    stems; for 3-syllable stems starting with a surname, how often, how often Kiwi (reading
    the sentence) tags the stem as one proper noun, and how often as holding another word of
    two or more syllables (a common word)."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    position = {2: [Counter(), Counter()], 3: [Counter(), Counter(), Counter()]}
    seen, proper, wordlike = Counter(), Counter(), Counter()
    for text, tokens in zip(texts, kiwi.tokenize(texts), strict=True):
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        inside: list[list] = [[] for _ in spans]
        j = 0
        for token in tokens:
            while j < len(spans) and spans[j][1] <= token.start:
                j += 1
            if j == len(spans):
                break
            if spans[j][0] <= token.start:
                inside[j].append(token)
        for (a, b), word_tokens in zip(spans, inside, strict=True):
            word = text[a:b]
            for stem in stems(word, particles):
                if len(stem) in position:
                    for i, ch in enumerate(stem):
                        position[len(stem)][i][ch] += 1
                if len(stem) != 3 or stem[0] not in surnames:
                    continue
                seen[stem] += 1
                covered, formed = [], ""
                for token in word_tokens:
                    if len(formed) >= 3:
                        break
                    covered.append(token)
                    formed += token.form
                if len(covered) == 1 and covered[0].form == stem and covered[0].tag == "NNP":
                    proper[stem] += 1
                elif any(len(t.form) >= 2 and t.tag != "NNP" for t in covered) and not _guess(covered):
                    wordlike[stem] += 1
    return position, seen, proper, wordlike


def _guess(tokens) -> bool:
    """A word and one more noun syllable (한지+민, 김치+국): how Kiwi reads an unknown name whose
    first syllables make a word, so no sign of a common word (as in person._verdict)."""
    return len(tokens) == 2 and len(tokens[0].form) == 2 and len(tokens[1].form) == 1 \
        and tokens[1].tag in ("NNG", "NNB", "NR", "NNP")


def corpus_names(texts: list[str], surnames: set[str], seen: Counter, proper: Counter) -> set[str]:
    """Words of a surname and two syllables before a title or 씨/님 that Kiwi mostly tags as one
    proper noun; not stop words, nor ending as institutions do or in a particle (서울대, 민주당,
    국방부: the last syllables of rules/pii/person_word_ends.txt less ``NAME_ENDS``)."""
    from curate.rules import load_words

    stop = set(load_words("pii/person_stopwords.txt"))
    ends = {c for line in load_words("pii/person_word_ends.txt") for c in line.split()} - set(NAME_ENDS)
    titles = sorted({*load_words("pii/person_titles.txt"), "씨", "님"}, key=lambda w: (-len(w), w))
    one = "".join(sorted(s for s in surnames if len(s) == 1))
    pattern = re.compile(
        rf"(?<![가-힣])([{one}][가-힣]{{2}})\s?(?:{'|'.join(titles)})(?:[은는이가을를의과와도께에]|[^가-힣]|$)")
    found = {m.group(1) for text in texts for m in pattern.finditer(text)}
    return {name for name in found if proper[name] >= 0.5 * seen[name] and name not in stop and name[-1] not in ends}


def main() -> None:
    sys.path.insert(0, str(REPO))
    from curate.pii import person
    from curate.rules import load_words

    surnames = {line.split("\t")[0] for line in load_words("pii/person_surnames.tsv")}
    particles = tuple(sorted(set(person.PARTICLES) | {"에", "에서"}, key=lambda p: (-len(p), p)))
    texts = corpus()
    position, seen, proper, wordlike = kiwi_pass(texts, particles, surnames)
    hand = read_names()
    names = corpus_names(texts, surnames, seen, proper)
    given = sorted(set(hand) | {n[1:] for n in names})
    first, second = Counter(g[0] for g in given), Counter(g[1] for g in given)
    lines = [
        "# Given-name syllable counts for the opt-in `person` type: how many of the distinct given",
        f"# names ({len(given)}: {len(hand)} of rules/pii/person_given_names.txt and Faker ko_KR, and those of",
        f"# {len(names)} names before a title in the corpus, see the builder) have the syllable first and",
        "# second. Generated by rules/pii/build_person_stats.py.",
        "# syllable\tfirst\tsecond",
    ]
    lines += [f"{s}\t{first[s]}\t{second[s]}" for s in sorted(set(first) | set(second))]
    (HERE / "person_given_syllables.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    keep = sorted(set(first) | set(second) | {s for s in surnames if len(s) == 1})
    places = [position[n][i] for n in (2, 3) for i in range(n)]
    totals = [sum(c.values()) for c in places]
    others = [[n for s, n in c.items() if s not in keep] for c in places]
    lines = [
        "# How often each syllable stands in each place of the corpus's words of two and three",
        "# syllables (a Hangul word less a particle; NSMC reviews and Wikinews, see the builder), for",
        "# the syllables of surnames and given names: the ordinary-word side of the opt-in `person`",
        "# type's name-likeness ratio. `*`: all syllables; `~`: the other syllables, as their mean",
        "# count (what a syllable not listed is taken to have). Generated by rules/pii/build_person_stats.py.",
        "# syllable\t2:first\t2:second\t3:first\t3:second\t3:third",
        "\t".join(["*", *map(str, totals)]),
        "\t".join(["~", *(str(round(sum(o) / max(len(o), 1))) for o in others)]),
    ]
    lines += ["\t".join([s, *(str(position[n][i][s]) for n in (2, 3) for i in range(n))]) for s in keep]
    (HERE / "person_text_syllables.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    rules = person.person_rules()  # first read here: with the statistics just written
    assert rules.n_given == sum(first.values()), "the rules were read before the statistics were written"
    floor = min(rules.threshold[level] for level in COMMON_LEVELS)
    common = sorted(
        stem for stem, n in seen.items()
        if n >= COMMON_MIN and wordlike[stem] >= COMMON_WORDLIKE * n and stem not in names
        and person.name_ratio(stem, rules) >= floor
    )
    lines = [
        "# Words that start with a surname syllable and read like a name, but that Kiwi, reading them",
        f"# in their sentences, mostly takes for other words (at least {COMMON_MIN} times in the corpus, "
        f"{COMMON_WORDLIKE:.0%} of them):",
        "# the opt-in `person` type reports them only in a naming context (a title, 씨/님, a role).",
        "# Generated by rules/pii/build_person_stats.py from NSMC reviews and Wikinews.",
        *common,
    ]
    (HERE / "person_common_words.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(given)} given names ({len(names)} from the corpus), {len(keep)} syllables, "
          f"{len(common)} common words; {len(texts)} texts")


if __name__ == "__main__":
    main()
