"""Korean personal names for the opt-in ``person`` type: context, name statistics and Kiwi.

A name is a surname (rules/pii/person_surnames.tsv, with population shares) and a given name of
one or two syllables, written as one word, perhaps with a particle attached. Most Korean words
start with a syllable that is also a surname (정부, 이상, 강남), so a word is a candidate only
in a naming context, and how much context it needs depends on how name-like it is:

* strong context: a title after it (``홍길동 기자``, rules/pii/person_titles.txt), 씨/님/군/양
  attached or after a space, an age in brackets (``홍길동(35세)``, ``(남, 42세)``, ``(28·회사원)``),
  a role or form label with a colon before it (``성명: 홍길동``), a self-introduction
  (``저는 홍길동입니다``, ``홍길동이라고 합니다``);
* medium context: a role before it without a colon (``환자 홍길동``, rules/pii/person_roles.txt),
  a copula after it alone (``홍길동입니다``), a byline word (``글·사진 홍길동``, ``홍길동 드림``),
  a list that holds a name found otherwise (``홍길동, 김철수, 이영희 씨``);
* elsewhere in the same text, a word found above again (``홍길동 씨는 … 홍길동이``);
* no context: a three-syllable word with a particle whose syllables are typical of names and
  that Kiwi tags as one proper noun (NNP).

Name-likeness (``prior``) is the surname's share and how often each given-name syllable stands
in that place in a given name (rules/pii/person_given_syllables.tsv). Kiwi (kiwipiepy) reads
only candidate words, each distinct word once per process (``_kiwi_tags``), in batches where
the batch path has many: a common word (NNG 정보, 이상+하+ㄴ) is never a name, whatever its context.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from curate.rules import cached_per_rules, load_words

_Candidate = tuple[int, int, str, float]
_HANGUL_RUN = "[가-힣]"
# what may follow a name inside its word: particles (the longer first), copulas
PARTICLES = (
    "에게서", "께서는", "께서도", "이라고", "이라는", "이라며", "에게는", "한테서", "이랑은",
    "에게", "께서", "한테", "까지", "부터", "처럼", "보다", "이가", "이는", "이를", "이의", "이와", "이도",
    "이랑", "하고", "으로", "라고", "라는", "라며", "이나", "이고", "이며", "이다", "이었다", "였다",
    "입니다", "이에요", "예요", "이야", "이었고", "의", "이", "가", "은", "는", "을", "를", "와", "과", "도",
    "만", "께", "랑", "로", "야", "아", "다",
)
COPULAS = ("입니다", "이에요", "예요", "이고요", "이고", "인데요", "이라고", "라고", "이라고요", "라고요",
           "이었습니다", "였습니다")
_PARTICLES_BY_LAST: dict[str, tuple[str, ...]] = {
    last: tuple(p for p in PARTICLES if p[-1] == last) for last in {p[-1] for p in PARTICLES}}
INTRO = ("저는", "전", "저", "제 이름은", "제이름은", "이름은", "제 이름", "안녕하세요", "반갑습니다")
BYLINE = ("글·사진", "글/사진", "사진·글", "글", "사진", "기자", "작성", "발행인", "편집인")
# a candidate window: what the candidate regex matched and this much on either side (the longest
# context a pattern reads beyond it: an age in brackets, 20 characters)
_LEFT, _RIGHT = 8, 26
_BARE_BRANCH = 2  # candidate_branches[2]: a bare name word (surname, two syllables, a particle)
_BARE_LONGEST = 6  # a two-syllable surname, two given syllables, a two-syllable particle
_KIWI_BATCH = 256
_CACHE_MAX = 200_000


@dataclass(frozen=True)
class PersonRules:
    surnames: dict[str, tuple[float, bool]]  # surname -> (share %, also a frequent word start)
    first: dict[str, int]  # syllable -> given names it starts
    second: dict[str, int]  # syllable -> given names it ends
    stop: frozenset[str]  # words never reported (look-alikes, place names)
    word_ends: frozenset[str]  # last syllables of words that are not names (서울대, 민주당)
    after_context: regex.Pattern  # group "w": the word holding the name; the other group, the context
    before_context: regex.Pattern
    bare: regex.Pattern
    list_left: regex.Pattern  # a word and a list separator right before a found name
    list_right: regex.Pattern  # a list separator and a word right after one
    scores: dict[str, float]
    min_prior: dict[str, float]
    candidate_branches: tuple[str, ...]  # no lookaround: Rust (Polars) and Python read them alike
    candidate: tuple[regex.Pattern, ...]  # the same, for one text without Polars


def _surname_table() -> dict[str, tuple[float, bool]]:
    table = {}
    for line in load_words("pii/person_surnames.tsv"):
        cols = line.split("\t")
        table[cols[0]] = (float(cols[1]), len(cols) > 2 and cols[2] == "rare_word")
    return table


def _syllables() -> tuple[dict[str, int], dict[str, int]]:
    first, second = {}, {}
    for line in load_words("pii/person_given_syllables.tsv"):
        syllable, n_first, n_second = line.split("\t")
        first[syllable], second[syllable] = int(n_first), int(n_second)
    return first, second


def _alt(words: Iterable[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cached_per_rules
def person_rules() -> PersonRules:
    from curate.pii.detect_rules import _alternation

    surnames = _surname_table()
    first, second = _syllables()
    places = [w for f in ("sido.txt", "sigungu.txt") for w in load_words(f"pii/{f}")]
    place_stems = {p[:-1] for p in places if len(p) >= 3 and p[-1] in "시군구도"} | set(places)
    stop = frozenset(load_words("pii/person_stopwords.txt")) | frozenset(place_stems)
    titles = _alternation(load_words("pii/person_titles.txt"))
    roles = _alternation(load_words("pii/person_roles.txt"))
    sur = _alternation(list(surnames))
    word = rf"(?<![가-힣A-Za-z0-9])(?P<w>(?:{sur}){_HANGUL_RUN}{{1,3}})"
    # after a title: no more Hangul (기자회견, 대표팀) unless a particle or suffix starts there
    after = (r"(?:(?![가-힣])|(?=은|는|이|가|을|를|의|에|과|와|도|만|께|으로|로|들|님|측|실|였|이었"
             r"|입니다|이다|이고|이며|이라))")
    age = r"\s?\((?:만\s?)?(?:[0-9]{1,3}(?:세|살)?|[남여])(?:\)|\s?[,·/]\s?[가-힣0-9][^()\n]{0,15}\))"
    copula = _alt(COPULAS)
    intro, byline = _alt(INTRO), _alt(BYLINE)
    plain_copula = _alt(c for c in COPULAS if "라고" not in c)  # 주시하라고: 라고 only before 합니다
    # group names say the context: t title, h 씨/님/군/양, a age, ls "…라고 합니다", cp copula,
    # sg a signature; rc role with a colon, in self-introduction, by byline, r role
    after_context = regex.compile(
        rf"{word}(?:(?P<t>\s(?:{titles})(?:{after}))|(?P<h>\s?(?:씨|님|군|양)(?:{after}))|(?P<a>{age})"
        rf"|(?P<ls>(?:이라고|라고)\s?(?:합니다|해요|하는|한다|불러|부르))|(?P<cp>(?:{plain_copula})(?![가-힣]))"
        rf"|(?P<sg>\s(?:드림|올림|배상)(?![가-힣])))"
    )
    before_context = regex.compile(
        rf"(?:(?P<rc>{roles})\s?[:：]\s?|(?P<in>{intro})[,.!~]?\s|(?P<by>{byline})\s?[:：=]?\s?|(?P<r>{roles})\s)"
        rf"{word}(?(in)(?:{copula})|(?(by)(?![가-힣])|))"
    )
    given = "".join(sorted(set(first) | set(second)))
    assert max(map(len, surnames)) + 2 + 2 <= _BARE_LONGEST, "a bare name word outgrows its window"
    particles = _alt(p for p in PARTICLES if len(p) <= 2)
    before = _alternation([*load_words("pii/person_roles.txt"), *INTRO, *BYLINE])
    branches = (
        rf"[가-힣]{{2,4}}(?:\s?(?:{titles}|씨|님|군|양)|\s?\(|{copula}|\s(?:드림|올림|배상))",
        rf"(?:{before})[\s:：=]{{0,3}}[가-힣]{{2,6}}",
        rf"(?:{sur})[{given}]{{2}}(?:{particles})",
    )
    bare = regex.compile(rf"(?<![가-힣A-Za-z0-9])(?P<w>(?:{sur})[{given}]{{2}}(?:{particles}))(?![가-힣])")
    list_left = regex.compile(rf"{word}(?:\s?[,·]\s?|(?:와|과|이랑|랑|하고|및)\s)$")
    list_right = regex.compile(
        rf"^(?:\s?[,·]\s?|(?:와|과|이랑|랑|하고)\s|\s및\s)(?P<w>(?:{sur}){_HANGUL_RUN}{{1,5}})(?![가-힣])")
    return PersonRules(
        surnames=surnames, first=first, second=second, stop=stop,
        word_ends=frozenset(c for line in load_words("pii/person_word_ends.txt") for c in line.split()),
        after_context=after_context, before_context=before_context, bare=bare,
        list_left=list_left, list_right=list_right,
        scores={"strong": 0.85, "medium": 0.75, "again": 0.8, "bare": 0.7},
        min_prior={"strong": 0.2, "medium": 0.4, "bare": 0.6},
        candidate_branches=branches,
        candidate=tuple(regex.compile(b) for b in branches),
    )


# ---------------------------------------------------------------- statistics


def split_name(stem: str, rules: PersonRules) -> tuple[str, str] | None:
    """(surname, given name) when ``stem`` reads as one: a listed surname, 1-2 given syllables."""
    if len(stem) >= 3 and stem[:2] in rules.surnames and len(stem) <= 4:
        return stem[:2], stem[2:]
    if stem[:1] in rules.surnames and 2 <= len(stem) <= 3:
        return stem[:1], stem[1:]
    return None


_priors: dict[tuple[int, str], float] = {}


def prior(stem: str, rules: PersonRules) -> float:
    """How name-like ``stem`` is, 0..1: the surname's share and the given name's syllables
    (remembered per rules and stem: a pure function of both, asked several times a word)."""
    key = (id(rules), stem)
    found = _priors.get(key)
    if found is None:
        if len(_priors) > _CACHE_MAX:
            _priors.clear()
        found = _priors[key] = _prior(stem, rules)
    return found


def _prior(stem: str, rules: PersonRules) -> float:
    parts = split_name(stem, rules)
    if parts is None or stem in rules.stop:
        return 0.0
    surname, given = parts
    share, rare_word = rules.surnames[surname]
    s = 1.0 if share >= 1 else 0.9 if share >= 0.2 else 0.75 if share >= 0.05 else 0.6
    if rare_word:
        s *= 0.6
    if given[-1] in rules.word_ends and not rules.second.get(given[-1]):
        s *= 0.3  # 서울대, 민주당, 위한: a name only with strong context and a fitting first syllable
    if len(given) == 1:
        g = 0.5 if rules.first.get(given) or rules.second.get(given) else 0.15
    else:
        placed = bool(rules.first.get(given[0])) + bool(rules.second.get(given[1]))
        known = sum(bool(rules.first.get(c) or rules.second.get(c)) for c in given)
        g = {2: 1.0, 1: 0.75 if known == 2 else 0.6}.get(placed, 0.45 if known else 0.25)
    return s * g


# ---------------------------------------------------------------- Kiwi on candidate words

_kiwi = None
_kiwi_lock = threading.Lock()
_verdicts: dict[str, str] = {}
# Kiwi's morpheme scores (log probabilities): a word in its dictionary scores about -8 to -13, a
# guess at an unknown word about -20 (서지우, 장미영 as NNG); known names as NNP about -15
_KNOWN_WORD = -16.0
_KNOWN_HEAD = -12.0  # a word of the dictionary before an ending (이상+하+ㄴ -7.8; 안상+후+ㄴ -14.8 is a guess)
_CLOSE_SECOND = 4.0


def _verdict(stem: str, analyses) -> str:
    """How Kiwi reads ``stem`` alone: 'name', one proper noun (or nearly: its second reading, close
    behind); 'surname', a proper noun that starts it and pieces after (윤/NNP 성 민); 'common', a
    word of its dictionary that is no proper noun, alone or with an ending (정보, 주인공, 이상+하+ㄴ);
    'unknown', anything else (a guess at an unknown noun: 서지우/NNG, 장경+자)."""
    (first, first_score), *rest = analyses
    if len(first) == 1 and first[0].form == stem and first[0].tag == "NNP":
        return "name"
    if rest:
        second, second_score = rest[0]
        if len(second) == 1 and second[0].form == stem and second[0].tag == "NNP" \
                and first_score - second_score < _CLOSE_SECOND:
            return "name"
    head = first[0]
    if head.tag == "NNP" and stem.startswith(head.form):
        return "surname"
    tail = first[1:]
    if head.tag != "NNP" and len(head.form) >= 2 and head.score >= (_KNOWN_WORD if not tail else _KNOWN_HEAD) \
            and stem.startswith(head.form):
        # 장경+자, 우선+영: a word and one more noun syllable reads as a guess, not as a word
        if not tail or not (len(tail) == 1 and tail[0].tag in ("NNG", "NNB", "NR", "NNP")):
            return "common"
    return "unknown"


def _analyse(words: list[str]) -> None:
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi()
        if len(_verdicts) + len(words) > _CACHE_MAX:
            _verdicts.clear()
        for i in range(0, len(words), _KIWI_BATCH):
            chunk = words[i : i + _KIWI_BATCH]
            for word, analyses in zip(chunk, _kiwi.analyze(chunk, top_n=2), strict=True):
                _verdicts[word] = _verdict(word, analyses)


def kiwi_verdicts(words: Iterable[str]) -> None:
    """Analyse the words not yet cached, in batches (the batch path calls this for all its rows)."""
    todo = sorted({w for w in words if w not in _verdicts})
    if todo:
        _analyse(todo)


def _kiwi_verdict(stem: str) -> str:
    if stem not in _verdicts:
        _analyse([stem])
    return _verdicts[stem]


# ---------------------------------------------------------------- finding


def _stem(word: str, allow_suffix: bool, rules: PersonRules) -> str | None:
    """The name in ``word``: the word itself, or the word less a particle (the best prior wins)."""
    options = [word] if split_name(word, rules) else []
    if allow_suffix:
        for particle in _PARTICLES_BY_LAST.get(word[-1:], ()):  # PARTICLES' order, those it may end in
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                stem = word[: -len(particle)]
                if split_name(stem, rules):
                    options.append(stem)
    if not options:
        return None
    return max(options, key=lambda s: (prior(s, rules) + (0.05 if len(s) == 3 else 0), -len(s)))


def _accept(stem: str, level: str, rules: PersonRules, allow: frozenset[str]) -> bool:
    if stem in allow:
        return False
    p = prior(stem, rules)
    if p < rules.min_prior[level]:
        return False
    verdict = _kiwi_verdict(stem)
    if verdict == "name":
        return True
    if verdict == "common" or (len(stem) == 2 and level != "strong"):
        return False
    return level == "strong" or p >= 0.6


def _bare(stem: str, rules: PersonRules, allow: frozenset[str]) -> bool:
    """A three-syllable word without context: a name when Kiwi reads it as one, or its first
    syllable as a proper noun (a surname) and the syllables are typical of names."""
    if len(stem) != 3 or stem in allow:
        return False
    p = prior(stem, rules)
    if p < rules.min_prior["bare"]:
        return False
    verdict = _kiwi_verdict(stem)
    return verdict == "name" or (verdict == "surname" and p >= 0.9)


Scans = dict[str, list[tuple[str, int, int, str]]]  # text -> its scan (``prepare``, the batch path)


def prepare(texts: list[str], matched: list[list[list[str]]], allow: frozenset[str] = frozenset()) -> Scans:
    """The batch path's rows and each candidate branch's matches in them (Polars): the rows are
    scanned here, and Kiwi reads every word ``find`` may ask it about, in batches (the same
    verdicts as one word at a time, fewer calls); the caller hands the scans to ``find``."""
    rules = person_rules()
    words = set()
    scans: Scans = {}
    for text, found in zip(texts, matched, strict=True):
        scans[text] = scan = _scan(text, found, rules)
        for level, _, _, stem in scan:
            if stem not in allow and prior(stem, rules) >= rules.min_prior[level]:
                words.add(stem)
    kiwi_verdicts(words)
    return scans


_STRONG_WHOLE = ("t", "h", "a")  # the name is the whole word before these
_LEVEL = {"t": "strong", "h": "strong", "a": "strong", "ls": "strong", "rc": "strong", "in": "strong",
          "cp": "medium", "sg": "medium", "by": "medium", "r": "medium"}


def _scan(text: str, matched: list[list[str]] | None, rules: PersonRules) -> list[tuple[str, int, int, str]]:
    """(level, start, end, stem) of every name-shaped word in a naming context, and of every bare
    candidate (level "bare"), in the candidate windows."""
    after, before, bare = windows(text, matched, rules)
    out = []
    for pattern, spans in ((rules.after_context, after), (rules.before_context, before)):
        for m in _matches(pattern, text, spans):
            context = m.lastgroup if pattern is rules.after_context else \
                next(g for g in ("rc", "in", "by", "r") if m.start(g) >= 0)
            stem = _stem(m.group("w"), context not in _STRONG_WHOLE, rules)
            if stem is not None:
                start = m.start("w")
                out.append((_LEVEL[context], start, start + len(stem), stem))
    for m in _matches(rules.bare, text, bare):
        stem = _stem(m.group("w"), True, rules)
        if stem is not None and len(stem) == 3:
            start = m.start("w")
            out.append(("bare", start, start + 3, stem))
    return out


def windows(text: str, matched: list[list[str]] | None, rules: PersonRules) -> list[list[tuple[int, int]]]:
    """Where each candidate branch's patterns may match: its matches widened by _LEFT/_RIGHT,
    overlaps merged. ``matched``: each branch's matches in ``text``, in order (Polars
    ``extract_all``), or None to find them here. A branch has no lookaround, so a match's string
    found again from the previous match's end is where it matched."""
    if matched is None:
        matched = [pattern.findall(text) for pattern in rules.candidate]
    out: list[list[tuple[int, int]]] = []
    for k, pieces in enumerate(matched):
        spans: list[tuple[int, int]] = []
        at = 0
        bare = k == _BARE_BRANCH
        for piece in pieces:
            start = text.find(piece, at)
            at = start + len(piece)
            if bare:
                # ``bare`` reads no context: its match is a whole word, so it starts where this
                # match does (no match of the branch can hold the non-letter before it) and ends
                # within _BARE_LONGEST characters; one more for its lookahead
                a, b = start, min(len(text), max(at, start + _BARE_LONGEST) + 1)
            else:
                a, b = max(0, start - _LEFT), min(len(text), at + _RIGHT)
            if spans and a <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], b))
            else:
                spans.append((a, b))
        out.append(spans)
    return out


def _matches(pattern: regex.Pattern, text: str, spans: list[tuple[int, int]]):
    """``pattern``'s matches inside the windows (lookbehinds still read the text before one)."""
    for a, b in spans:
        yield from pattern.finditer(text, a, b)


def find(text: str, rules: PersonRules, allow: frozenset[str] = frozenset(),
         scans: Scans | None = None) -> list[_Candidate]:
    """Name spans in ``text``: (start, end, "person", score); ``scans``: what ``prepare`` read."""
    scan = scans.get(text) if scans else None
    if scan is None:
        scan = _scan(text, None, rules)
    found: dict[tuple[int, int], float] = {}
    for level, start, end, stem in scan:
        if level != "bare" and _accept(stem, level, rules, allow):
            found[(start, end)] = max(found.get((start, end), 0.0), rules.scores[level])
    if found:
        _lists(text, found, rules, allow)
    for level, start, end, stem in scan:
        if level == "bare" and (start, end) not in found and _bare(stem, rules, allow):
            found[(start, end)] = rules.scores["bare"]
    if found:
        _again(text, found, rules)
    return [(s, e, "person", score) for (s, e), score in sorted(found.items())]


def _lists(text: str, found: dict[tuple[int, int], float], rules: PersonRules, allow: frozenset[str]) -> None:
    """Names listed beside a found one (``김철수, 이영희, 박민수 씨``) are names too."""
    todo = sorted(found)
    while todo:
        start, end = todo.pop()
        left = rules.list_left.search(text[max(0, start - 12) : start])
        if left:
            stem = _stem(left.group("w"), False, rules)
            s = max(0, start - 12) + left.start("w")
            if stem and (s, s + len(stem)) not in found and _accept(stem, "medium", rules, allow):
                found[(s, s + len(stem))] = rules.scores["medium"]
                todo.append((s, s + len(stem)))
        right = rules.list_right.match(text[end : end + 20])
        if right:
            word = right.group("w")
            stem = _stem(word, True, rules)
            s = end + right.start("w")
            if stem and (s, s + len(stem)) not in found and _accept(stem, "medium", rules, allow):
                found[(s, s + len(stem))] = rules.scores["medium"]
                todo.append((s, s + len(stem)))


_AFTER_AGAIN = frozenset(PARTICLES) | {"씨", "님"}


def _again(text: str, found: dict[tuple[int, int], float], rules: PersonRules) -> None:
    """Every other whole-word mention (particle attached or not) of a name found in the text."""
    stems = {text[s:e] for s, e in found if e - s >= 3}
    taken = sorted(found)
    starts = [s for s, _ in taken]
    reach = list(itertools.accumulate((e for _, e in taken), max))  # furthest end up to each span
    for stem in stems:
        at = text.find(stem)
        while at >= 0:
            end = at + len(stem)
            i = bisect.bisect_left(starts, end)  # spans starting before this mention ends
            if (at == 0 or not _word_char(text[at - 1])) and _word_ends_here(text, end) \
                    and (i == 0 or reach[i - 1] <= at):
                found[(at, end)] = rules.scores["again"]
            at = text.find(stem, end)


def _word_char(ch: str) -> bool:
    return "가" <= ch <= "힣" or (ch.isascii() and ch.isalnum())


def _word_ends_here(text: str, end: int) -> bool:
    """The word ends at ``end``, or only a particle (or 씨/님) follows in it."""
    tail = end
    while tail < len(text) and "가" <= text[tail] <= "힣":
        tail += 1
    return tail == end or text[end:tail] in _AFTER_AGAIN
