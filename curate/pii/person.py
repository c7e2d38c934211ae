"""Korean personal names for the opt-in ``person`` type: context, name statistics and Kiwi.

A name is a surname (rules/pii/person_surnames.tsv, with population shares) and a given name of
one or two syllables, written as one word, perhaps with a particle attached. Most Korean words
start with a syllable that is also a surname (정부, 이상, 강남), so how much context a word
needs depends on how name-like it is (``name_ratio``):

* strong context: a title after it (``홍길동 기자``, rules/pii/person_titles.txt), 씨/님/군/양
  attached or after a space, an age in brackets (``홍길동(35세)``, ``(남, 42세)``, ``(28·회사원)``),
  a role or form label with a colon or a closing bracket before it (``성명: 홍길동``,
  ``[이름] 홍길동``), a self-introduction (``저는 홍길동입니다``, ``홍길동이라고 합니다``);
* medium context: a role before it without a colon (``환자 홍길동``, rules/pii/person_roles.txt),
  a copula after it alone (``홍길동입니다``), a byline word (``글·사진 홍길동``, ``홍길동 드림``),
  a list that holds a name found otherwise (``홍길동, 김철수, 이영희 씨``);
* a list of name-like words alone (``김민수, 이영희, 박철수가 참석했다``, ``김단비와 정정우가``):
  one word must read as a name, the others at least weakly;
* no context: a word of a surname, two given-name syllables and a particle that fits the sound
  before it (``김철수가``, ``이영희를``), when its syllables are far likelier in a name than in a word;
* a given name alone before 씨/님/선배/언니/오빠/누나/형/쌤 (``수진 씨``, ``지영 언니``) or as a
  vocative (``지훈아,``, ``민수야!``);
* elsewhere in the same text, a full name found above again, and its given name alone
  (``홍길동 씨는 … 길동이``).

Name-likeness is a log likelihood ratio: the surname's share and how often each given-name
syllable stands in that place in a given name (rules/pii/person_given_syllables.tsv), against how
often the same syllables stand in those places in the words of real text
(rules/pii/person_text_syllables.tsv); rules/pii/build_person_stats.py builds both, and
rules/pii/person_common_words.txt, words of real text that read like names but are not (이영화,
이상하): those are never names. A surname that starts many ordinary words (원, 방, 명) scores low
by itself, its syllable being frequent at the start of words. Each context asks its own least
ratio (``PersonRules.threshold``).

Kiwi (kiwipiepy) reads only candidate words that pass that much, each distinct word once per
process (``kiwi_verdicts``), in batches where the batch path has many: a common word (NNG 정보,
이상+하+ㄴ), a number or a verb form is never a name, whatever its context; a word it reads as one
proper noun asks less. The batch path (``prepare``) scans every row, has Kiwi read all their
words at once and finds each row's names; ``find`` hands them back (or finds them in one text).
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from curate.pii.word_trie import word_trie
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
# words after a given name alone (수진 씨, 지영 언니, 민수형): one's own circle's titles
KIN = ("씨", "님", "선배", "후배", "언니", "오빠", "누나", "형", "쌤", "샘", "선생님", "선생")
KIN_SPACED = ("군", "양")  # 중국군, 연합군, 모양: after a space only
# words that are one word with 님/씨 after them, not a given name and a title (아버님, 하느님)
KIN_STOP = frozenset({"아버", "어머", "하느", "할머", "예수", "부처", "선비", "사모", "도련", "서방", "아가",
                      "아저", "형수", "주인", "조상", "선조", "스승", "임금", "마음", "아드", "따님"})
# particles a bare name word may end in (the bare candidate branch): one or two syllables
_BARE_PARTICLES = tuple(p for p in PARTICLES if len(p) <= 2)
# what joins two names in a list: a comma or a middle dot, 와/과/랑/이랑/하고 and a space, 및
_JOINERS = ("이랑", "하고", "와", "과", "랑")
# candidate_branches, by what they find
_AFTER, _BEFORE, _BARE, _LIST, _KIN, _VOCATIVE = range(6)
_KIWI_BATCH = 256
_CACHE_MAX = 200_000
# smoothing of the syllable counts: pseudo-counts and the number of syllables they spread over
_NAME_PSEUDO, _NAME_SYLLABLES = 0.5, 1000
_TEXT_PSEUDO, _TEXT_SYLLABLES = 1.0, 2000
_ONE_SYLLABLE_GIVEN = math.log(0.005)  # share of one-syllable given names (김구, 이산)
_WORD_END = math.log(0.3)  # a given name ending as institutions and verb forms do (서울대, 위한)


class _Memo:
    """What is remembered per rules and word: pure functions of both (the ratios, a bare word's
    name), and each level's decision, which also reads Kiwi's verdicts (emptied with them)."""

    def __init__(self) -> None:
        self.ratio: dict[str, float] = {}
        self.given: dict[str, float] = {}
        self.log: dict[str, float] = {}
        self.bare: dict[str, str | None] = {}
        self.decided: dict[str, dict[str, bool]] = {}
        _MEMOS.append(self)

    def forget_decisions(self) -> None:
        self.decided = {}


_MEMOS: list[_Memo] = []


@dataclass(frozen=True)
class PersonRules:
    surnames: dict[str, tuple[float, bool]]  # surname -> (share %, also a frequent word start: not read)
    first: dict[str, int]  # syllable -> given names it starts
    second: dict[str, int]  # syllable -> given names it ends
    n_given: int  # given names counted
    text: dict[tuple[int, int], dict[str, int]]  # (word length, place) -> syllable -> count
    text_total: dict[tuple[int, int], int]
    stop: frozenset[str]  # words never reported (look-alikes, place names)
    common: frozenset[str]  # words of real text that read like names: reported only in context
    word_ends: frozenset[str]  # last syllables of words that are not names (서울대, 민주당)
    titles: frozenset[str]  # titles: never a given name (김기자, 박감독)
    after_context: regex.Pattern  # group "w": the word holding the name; the other group, the context
    before_context: regex.Pattern
    bare: regex.Pattern  # a whole bare name word (fullmatch)
    list_item: regex.Pattern  # one name-like word of a list and what follows it (match at a word start)
    kin: regex.Pattern  # a given name alone and a title after it (match at a word start)
    list_left: regex.Pattern  # a word and a list separator right before a found name
    list_right: regex.Pattern  # a list separator and a word right after one
    scores: dict[str, float]
    threshold: dict[str, float]  # the least name_ratio a context asks of a word
    candidate_branches: tuple[str, ...]  # no lookaround: Rust (Polars) and Python read them alike
    candidate: tuple[regex.Pattern, ...]  # the same, for one text without Polars
    memo: _Memo = field(default_factory=_Memo, compare=False, repr=False)


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


_TEXT_PLACES = ((2, 0), (2, 1), (3, 0), (3, 1), (3, 2))


def _text_syllables() -> tuple[dict[tuple[int, int], dict[str, int]], dict[tuple[int, int], int]]:
    counts: dict[tuple[int, int], dict[str, int]] = {place: {} for place in _TEXT_PLACES}
    totals: dict[tuple[int, int], int] = {}
    for line in load_words("pii/person_text_syllables.tsv"):
        syllable, *numbers = line.split("\t")
        for place, n in zip(_TEXT_PLACES, numbers, strict=True):
            if syllable == "*":
                totals[place] = int(n)
            else:  # "~": the other syllables' mean count
                counts[place][syllable] = int(n)
    return counts, totals


def _alt(words: Iterable[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _class(syllables: Iterable[str]) -> str:
    return "[" + "".join(sorted(set(syllables))) + "]"


def _batchim(syllable: str) -> bool:
    return (ord(syllable) - 0xAC00) % 28 != 0


@cached_per_rules
def person_rules() -> PersonRules:
    surnames = _surname_table()
    first, second = _syllables()
    text, text_total = _text_syllables()
    places = [w for f in ("sido.txt", "sigungu.txt") for w in load_words(f"pii/{f}")]
    place_stems = {p[:-1] for p in places if len(p) >= 3 and p[-1] in "시군구도"} | set(places)
    stop = frozenset(load_words("pii/person_stopwords.txt")) | frozenset(place_stems)
    titles = word_trie(load_words("pii/person_titles.txt"))
    # a role, and a role with 명 (name) after it: 예약자명, 신청자명
    role_words = [*load_words("pii/person_roles.txt")]
    role_words += [f"{r}명" for r in role_words if not r.endswith("명") and " " not in r]
    roles = word_trie(role_words)
    sur = word_trie(surnames)
    word = rf"(?<![가-힣A-Za-z0-9])(?P<w>(?:{sur}){_HANGUL_RUN}{{1,3}})"
    # after a title: no more Hangul (기자회견, 대표팀) unless a particle or suffix starts there
    after = (r"(?:(?![가-힣])|(?=은|는|이|가|을|를|의|에|과|와|도|만|께|으로|로|들|님|측|실|였|이었"
             r"|입니다|이다|이고|이며|이라))")
    age = r"\s?\((?:만\s?)?(?:[0-9]{1,3}(?:세|살)?|[남여])(?:\)|\s?[,·/]\s?[가-힣0-9][^()\n]{0,15}\))"
    copula = _alt(COPULAS)
    intro, byline = _alt(INTRO), _alt(BYLINE)
    plain_copula = _alt(c for c in COPULAS if "라고" not in c)  # 주시하라고: 라고 only before 합니다
    # group names say the context: t title, h 씨/님 (군/양 after a space), hg 군/양 attached (홍길동군,
    # but also 진부하군: medium), a age, ls "…라고 합니다", cp copula,
    # sg a signature; rc role with a colon, rb role in brackets, in self-introduction, by byline, r role
    after_context = regex.compile(
        rf"{word}(?:(?P<t>\s(?:{titles})(?:{after}))|(?P<h>(?:\s?(?:씨|님)|\s(?:군|양))(?:{after}))"
        rf"|(?P<hg>(?:군|양)(?:{after}))|(?P<a>{age})"
        rf"|(?P<ls>(?:이라고|라고)\s?(?:합니다|해요|하는|한다|불러|부르))|(?P<cp>(?:{plain_copula})(?![가-힣]))"
        rf"|(?P<sg>\s(?:드림|올림|배상)(?![가-힣])))"
    )
    closing = r"[)\]】>]"
    # the whole word after a role or byline (환자 홍길동에게: the name and its particle), a word
    # and a copula after a self-introduction
    whole = rf"(?<![가-힣A-Za-z0-9])(?P<w>(?:{sur}){_HANGUL_RUN}{{1,5}})(?![가-힣])"
    before_context = regex.compile(
        rf"(?:(?P<in>{intro})[,.!~]?\s{word}(?:{copula})"
        rf"|(?:(?P<rc>{roles})\s?{closing}?\s?[:：]\s?|(?P<rb>(?<=[(\[【<]\s?)(?:{roles})){closing}\s?"
        rf"|(?P<by>{byline})\s?[:：=]?\s?|(?P<r>{roles})\s){whole})"
    )
    assert max(map(len, surnames)) <= 2, "a surname of more than two syllables outgrows the windows"
    first_class = _class(s for s, n in first.items() if n)
    second_class = _class(s for s, n in second.items() if n)
    closed = _class(s for s, n in second.items() if n and _batchim(s))
    open_ = _class(s for s, n in second.items() if n and not _batchim(s))
    bare_particles = _alt(_BARE_PARTICLES)
    kin = rf"\s?(?:{_alt(KIN)})|\s(?:{_alt(KIN_SPACED)})"
    joiner = rf"(?:\s?[,·/]\s?|(?:{_alt(_JOINERS)})\s|\s및\s)"
    before = word_trie([*role_words, *INTRO, *BYLINE])
    branches = (
        # any two to four syllables: a surname alternation first makes the Rust engine's pass 5x slower
        rf"[가-힣]{{2,4}}(?:\s?(?:{titles}|씨|님|군|양)|\s?\(|{copula}|\s(?:드림|올림|배상))",
        rf"(?:{before})[\s:：=,.!~)\]】>]{{1,4}}(?:{sur})[가-힣]",
        rf"(?:{sur}){first_class}{second_class}(?:{bare_particles})",
        rf"(?:{sur})[가-힣]{{2}}{joiner}(?:{sur})[가-힣]{{2}}",
        rf"{first_class}{second_class}(?:{kin})",
        rf"{first_class}(?:{closed}아|{open_}야)(?:[^가-힣]|$)",
    )
    bare = regex.compile(rf"(?P<w>(?:{sur}){first_class}{second_class})(?:{bare_particles})")
    list_item = regex.compile(
        rf"(?P<w>(?:{sur})[가-힣]{{2}})(?:(?P<j>{joiner})|(?P<p>{bare_particles})?(?![가-힣]))")
    kin_pattern = regex.compile(rf"(?P<w>{first_class}{second_class})(?P<k>{kin})(?:{after})")
    list_left = regex.compile(rf"{word}(?:\s?[,·]\s?|(?:와|과|이랑|랑|하고|및)\s)$")
    list_right = regex.compile(
        rf"^(?:\s?[,·]\s?|(?:와|과|이랑|랑|하고)\s|\s및\s)(?P<w>(?:{sur}){_HANGUL_RUN}{{1,5}})(?![가-힣])")
    return PersonRules(
        surnames=surnames, first=first, second=second, n_given=sum(first.values()),
        text=text, text_total=text_total, stop=stop,
        common=frozenset(load_words("pii/person_common_words.txt")),
        word_ends=frozenset(c for line in load_words("pii/person_word_ends.txt") for c in line.split()),
        titles=frozenset([*load_words("pii/person_titles.txt"), *KIN]),
        after_context=after_context, before_context=before_context, bare=bare, list_item=list_item,
        kin=kin_pattern, list_left=list_left, list_right=list_right,
        scores={"strong": 0.85, "medium": 0.75, "again": 0.8, "list": 0.7, "bare": 0.7, "kin": 0.8,
                "vocative": 0.7},
        # the least name_ratio a level asks (tuned on the eval's tuned and dev2 parts and on real
        # comments, never on its heldout part): with Kiwi's "name" verdict, with another
        # ("_unknown"), with "common" ("_common"; none: refused); "strong_two" for a surname and one
        # syllable; "list_weak" for every other word of a list one word of which reads as a name
        threshold={"strong": -1.0, "strong_two": 2.0, "medium": 0.0, "medium_unknown": 2.0,
                   "list": 1.0, "list_unknown": 2.0, "list_weak": -2.0, "bare": 2.0, "bare_unknown": 3.0,
                   "kin": -1.0, "kin_unknown": 0.0, "vocative": 0.0, "vocative_unknown": 1.0,
                   "again": 0.0, "again_common": 2.0},
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


def _name_log(counts: dict[str, int], syllable: str, rules: PersonRules) -> float:
    return math.log((counts.get(syllable, 0) + _NAME_PSEUDO) / (rules.n_given + _NAME_PSEUDO * _NAME_SYLLABLES))


def _text_log(length: int, place: int, syllable: str, rules: PersonRules) -> float:
    key = (min(length, 3), min(place, min(length, 3) - 1))
    counts = rules.text[key]
    count = counts.get(syllable)
    if count is None:  # a syllable of no surname or given name: as common as such syllables are
        count = counts.get("~", 0)
    return math.log((count + _TEXT_PSEUDO) / (rules.text_total.get(key, 0) + _TEXT_PSEUDO * _TEXT_SYLLABLES))


def name_ratio(stem: str, rules: PersonRules) -> float:
    """How much likelier ``stem`` is as a full name than as a word of real text (natural log):
    the surname's share and the given-name syllables' places in given names, against the same
    syllables' places in words as long. -inf for what is not surname + given name, or a stop word.
    Remembered per rules and stem (a pure function of both)."""
    found = rules.memo.ratio.get(stem)
    if found is None:
        found = _remember(rules.memo.ratio, stem, _name_ratio(stem, rules))
    return found


def given_ratio(given: str, rules: PersonRules) -> float:
    """``name_ratio`` for a given name of two syllables written alone (수진 씨, 지훈아)."""
    found = rules.memo.given.get(given)
    if found is None:
        found = _remember(rules.memo.given, given, _given_ratio(given, rules))
    return found


def _remember(memo: dict, key: str, value):
    if len(memo) > _CACHE_MAX:
        memo.clear()
    memo[key] = value
    return value


def _name_log_prob(stem: str, rules: PersonRules) -> float:
    parts = split_name(stem, rules)
    if parts is None or stem in rules.stop:
        return -math.inf
    surname, given = parts
    if given in rules.titles or given == "모":
        return -math.inf  # 김기자, 박감독: a surname and a title; 김모 (某): a name withheld
    name = math.log(rules.surnames[surname][0] / 100)
    if len(given) == 1:
        name += _ONE_SYLLABLE_GIVEN + max(_name_log(rules.first, given, rules), _name_log(rules.second, given, rules))
    else:
        name += _name_log(rules.first, given[0], rules) + _name_log(rules.second, given[1], rules)
    if given[-1] in rules.word_ends and not rules.second.get(given[-1]):
        name += _WORD_END
    return name


def _name_ratio(stem: str, rules: PersonRules) -> float:
    name = name_log(stem, rules)
    if name == -math.inf:
        return name
    # the ordinary-word side: a two-syllable surname is read as one syllable of the word
    word = stem[0] + split_name(stem, rules)[1]
    return name - sum(_text_log(len(word), i, ch, rules) for i, ch in enumerate(word))


def _given_ratio(given: str, rules: PersonRules) -> float:
    if len(given) != 2 or given in rules.stop or given in KIN_STOP:
        return -math.inf
    name = _name_log(rules.first, given[0], rules) + _name_log(rules.second, given[1], rules)
    return name - _text_log(2, 0, given[0], rules) - _text_log(2, 1, given[1], rules)


# ---------------------------------------------------------------- Kiwi on candidate words

class _Verdicts(dict):
    """Kiwi's verdicts by word; emptying them empties the decisions made with them."""

    def clear(self) -> None:
        super().clear()
        for memo in _MEMOS:
            memo.forget_decisions()


_kiwi = None
_kiwi_lock = threading.Lock()
_verdicts: dict[str, str] = _Verdicts()
# Kiwi's morpheme scores (log probabilities): a word in its dictionary scores about -8 to -13, a
# guess at an unknown word about -20 (서지우, 장미영 as NNG); known names as NNP about -15
_KNOWN_WORD = -16.0
_KNOWN_HEAD = -12.0  # a word of the dictionary before an ending (이상+하+ㄴ -7.8; 안상+후+ㄴ -14.8 is a guess)
_CLOSE_SECOND = 4.0
_PREDICATE = ("E", "J", "VV", "VA", "VX", "VC", "XSV", "XSA")  # endings, particles, verbs, adjectives, copulas
# a whole reading this likely is no guess (노련하+ㄴ -22.9, 나오+엇+던 -23.3); unknown names read as
# pieces score lower (강/NNG 짓/VV 은/ETM -27.5, 한/MM 명/NNB 자/EF -26.8)
_SURE = -24.0


def _verdict(stem: str, analyses) -> str:
    """How Kiwi reads ``stem`` alone: 'name', one proper noun (or nearly: its second reading, close
    behind); 'surname', a proper noun that starts it and pieces after (윤/NNP 성 민); 'common', a
    word of its dictionary that is no proper noun, alone or with an ending (정보, 주인공, 이상+하+ㄴ),
    a number or a verb form (백만+명, 노련하+ㄴ); 'unknown', anything else (a guess at an unknown
    noun: 서지우/NNG, 장경+자)."""
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
    if first_score >= _SURE and (head.tag == "NR" or any(t.tag.startswith(_PREDICATE) for t in first)):
        # read surely: a number (백만+명), a phrase (남+의+돈) or a verb form (노련하+ㄴ, 주+는+것,
        # 안+되+는); not a determiner and a noun (이+시국, but also 이+지원, 현+지수)
        return "common"
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


# ---------------------------------------------------------------- deciding


def _stem(word: str, allow_suffix: bool, rules: PersonRules) -> str | None:
    """The name in ``word``: the word itself, or the word less a particle that fits the sound
    before it (김성은: 김성은, not 김성 and 은); the likelier name wins."""
    options = [word] if split_name(word, rules) else []
    if allow_suffix:
        for particle in _PARTICLES_BY_LAST.get(word[-1:], ()):  # PARTICLES' order, those it may end in
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                stem = word[: -len(particle)]
                if split_name(stem, rules) and _fits(stem, particle):
                    options.append(stem)
    if not options:
        return None
    return max(options, key=lambda s: (name_log(s, rules), -len(s)))


# particles that follow only a closed syllable (one with a final consonant), and only an open one
_AFTER_CLOSED = frozenset(p for p in PARTICLES if p[0] in "이은을과으아")
_AFTER_OPEN = frozenset({"가", "는", "를", "와", "랑", "야", "라고", "라는", "라며", "였다", "예요", "다"})


def _fits(stem: str, particle: str) -> bool:
    """Whether ``particle`` may follow ``stem``'s last syllable (김민수가, 김민준이; not 김민준가)."""
    if particle in _AFTER_CLOSED:
        return _batchim(stem[-1])
    if particle in _AFTER_OPEN:
        return not _batchim(stem[-1])
    return True


def name_log(stem: str, rules: PersonRules) -> float:
    """The log probability of ``stem`` as a name (the name side of ``name_ratio``)."""
    found = rules.memo.log.get(stem)
    if found is None:
        found = _remember(rules.memo.log, stem, _name_log_prob(stem, rules))
    return found


# what each level asks: the least ratio with Kiwi's "name" verdict and with any other verdict but
# "common" (None: that verdict is refused); whether the corpus's common words are refused
_LEVELS = {
    "strong": ("strong", "strong", True),
    "medium": ("medium", "medium_unknown", True),
    "list": ("list", "list_unknown", True),
    "bare": ("bare", "bare_unknown", True),
    "kin": ("kin", "kin_unknown", True),
    "vocative": ("vocative", "vocative_unknown", True),
    "again": ("again", "again", True),
}


def _wanted(stem: str, level: str, rules: PersonRules, allow: frozenset[str]) -> bool:
    """Whether ``stem`` is worth a Kiwi reading at ``level``."""
    return stem not in allow and _viable(stem, level, rules)


def _viable(stem: str, level: str, rules: PersonRules) -> bool:
    """Whether ``stem`` may read as a name at ``level`` at all: the least ratio the level asks,
    and no common word the level refuses (what Kiwi would say aside)."""
    ratio = given_ratio(stem, rules) if level in ("kin", "vocative", "again") else name_ratio(stem, rules)
    named, other, guarded = _LEVELS[level]
    return ratio >= min(rules.threshold[named], rules.threshold[other]) and not (guarded and stem in rules.common)


def _accept(stem: str, level: str, rules: PersonRules, allow: frozenset[str]) -> bool:
    """Whether ``stem`` reads as a name at ``level`` (remembered until Kiwi's verdicts are emptied)."""
    if stem in allow:
        return False
    decided = rules.memo.decided.get(level)
    if decided is None:
        decided = rules.memo.decided[level] = {}
    found = decided.get(stem)
    if found is None:
        found = _remember(decided, stem, _decide(stem, level, rules))
    return found


def _decide(stem: str, level: str, rules: PersonRules) -> bool:
    if not _viable(stem, level, rules):
        return False
    given_only = level in ("kin", "vocative", "again")
    ratio = given_ratio(stem, rules) if given_only else name_ratio(stem, rules)
    named, other, _ = _LEVELS[level]
    if len(stem) == 2 and not given_only and (level != "strong" or ratio < rules.threshold["strong_two"]):
        return False  # 이상, 정부, 하든: a surname and one more syllable need strong context and more
    verdict = _kiwi_verdict(stem)
    if verdict == "common":
        # a given name may be a word too (명순, 종식): after the full name in the same text, a
        # likely enough given name is one
        return given_only and ratio >= rules.threshold.get(f"{level}_common", math.inf)
    return ratio >= rules.threshold[named if verdict == "name" else other]


# ---------------------------------------------------------------- finding

Scans = dict[str, list[_Candidate]]  # text -> its names (``prepare``, the batch path)


def prepare(texts: list[str], matched: list[list[list[str]]], allow: frozenset[str] = frozenset()) -> Scans:
    """The batch path's rows and each candidate branch's matches in them (Polars): the rows are
    scanned here, Kiwi reads every word a decision may ask it about, in batches (the same
    verdicts as one word at a time, fewer calls), and each row's names are found; the caller
    hands them to ``find`` (with the same ``allow``)."""
    rules = person_rules()
    words = set()
    scanned = []
    for text, found in zip(texts, matched, strict=True):
        scan = _scan(text, found, rules)
        scanned.append(scan)
        for level, _, _, stem, _ in scan:
            if stem not in _verdicts and _wanted(stem, level, rules, allow):
                words.add(stem)
    kiwi_verdicts(words)
    return {text: _find(text, scan, rules, allow) for text, scan in zip(texts, scanned, strict=True)}


_STRONG_WHOLE = ("t", "h", "hg", "a")  # the name is the whole word before these
_LEVEL = {"t": "strong", "h": "strong", "hg": "medium", "a": "strong", "ls": "strong", "rc": "strong", "rb": "strong",
          "in": "strong", "cp": "medium", "sg": "medium", "by": "medium", "r": "medium"}


def _scan(text: str, matched: list[list[str]] | None, rules: PersonRules) -> list[tuple]:
    """(level, start, end, stem, group) of every name-shaped word in a naming context and of every
    bare, listed, given-name-alone candidate; ``group``: the list a listed word belongs to."""
    if matched is None:
        matched = [pattern.findall(text) for pattern in rules.candidate]
    positions = [_positions(text, pieces) if pieces else () for pieces in matched]
    out: list[tuple] = []
    if positions[_AFTER]:
        for m in _after_matches(text, positions[_AFTER], rules.after_context):
            stem = _stem(m.group("w"), m.lastgroup not in _STRONG_WHOLE, rules)
            if stem is not None:
                start = m.start("w")
                out.append((_LEVEL[m.lastgroup], start, start + len(stem), stem, -1))
    if positions[_BEFORE]:
        for m in _before_matches(text, positions[_BEFORE], rules.before_context):
            context = next(g for g in ("rc", "rb", "in", "by", "r") if m.start(g) >= 0)
            stem = _stem(m.group("w"), True, rules)
            if stem is not None:
                start = m.start("w")
                out.append((_LEVEL[context], start, start + len(stem), stem, -1))
    for start, end in positions[_BARE]:
        if _word_start(text, start):
            word = text[start:end] if end == len(text) or not "가" <= text[end] <= "힣" else _hangul_run(text, start)
            stem = _bare_stem(word, rules)
            if stem is not None:
                out.append(("bare", start, start + len(stem), stem, -1))
    listed: set[int] = set()
    for start, _ in positions[_LIST]:
        if start not in listed and _word_start(text, start):
            items = _list_at(text, start, rules)
            listed.update(s for s, _, _ in items)
            out += [("list", s, e, stem, start) for s, e, stem in items]
    for start, _ in positions[_KIN]:
        if _word_start(text, start):
            m = rules.kin.match(text, start)
            if m is not None:
                out.append(("kin", start, start + 2, m.group("w"), -1))
    for start, _ in positions[_VOCATIVE]:
        if _word_start(text, start) and (start + 3 == len(text) or not _hangul(text[start + 3])):
            out.append(("vocative", start, start + 2, text[start : start + 2], -1))
    return out


def _positions(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Where each match of a branch is: a branch has no lookaround, so a match's string found
    again from the previous match's end is where it matched."""
    out = []
    at = 0
    for piece in pieces:
        start = text.find(piece, at)
        at = start + len(piece)
        out.append((start, at))
    return out


_INNER_START = regex.compile(r"(?<=[^가-힣A-Za-z0-9])[가-힣]")


def _after_matches(text: str, spans, pattern: regex.Pattern):
    """The after-context pattern's matches, tried where one may start: a word start in or just
    before a match of its candidate branch. A word holding a name starts after a non-letter and
    runs into its context; the branch (no lookaround) matches from that word's start or one
    syllable on (a five-syllable word), or from within an earlier branch match that reaches into
    the word (우리 양미 씨: "우리 양" before "미 씨"), so every such start is where a branch match
    starts, one syllable before it, or a word start inside one. Tried in order, a match found
    skips the starts it covers (as ``finditer`` would)."""
    starts = []
    for start, end in spans:
        at = start
        if at and "가" <= text[at - 1] <= "힣":
            at -= 1
        if at == 0 or not _word_char(text[at - 1]):
            starts.append(at)
        starts += [m.start() for m in _INNER_START.finditer(text, start + 1, end)]
    reached = -1
    for at in sorted(set(starts)):
        if at >= reached:
            m = pattern.match(text, at)
            if m is not None:
                reached = m.end()
                yield m


def _before_matches(text: str, spans, pattern: regex.Pattern):
    """The before-context pattern's matches at every place in its candidate branch's matches
    (overlapping: a role may stand where a name would, 대표자 성명 홍길동)."""
    done = -1
    for start, end in spans:
        for at in range(max(start, done), end):
            m = pattern.match(text, at)
            if m is not None:
                yield m
        done = end


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _word_char(ch: str) -> bool:
    return "가" <= ch <= "힣" or (ch.isascii() and ch.isalnum())


def _word_start(text: str, start: int) -> bool:
    return start == 0 or not _word_char(text[start - 1])


def _hangul_run(text: str, start: int) -> str:
    end = start
    while end < len(text) and "가" <= text[end] <= "힣":
        end += 1
    return text[start:end]


def _bare_stem(word: str, rules: PersonRules) -> str | None:
    """The name in a bare word (a surname, two given-name syllables, a particle) when it may
    read as a name without context (``_viable``), remembered."""
    memo = rules.memo.bare
    if word in memo:
        return memo[word]
    stem = None
    if rules.bare.fullmatch(word):
        found = _stem(word, True, rules)
        if found is not None and len(found) >= 3 and _viable(found, "bare", rules):
            stem = found
    return _remember(memo, word, stem)


def _list_at(text: str, start: int, rules: PersonRules) -> list[tuple[int, int, str]]:
    """The name-like words of a list starting at ``start`` (two or more, joined by commas, middle
    dots, 와/과/랑/하고, 및), the last perhaps with a particle; none when it is no such list."""
    items = []
    at = start
    while True:  # each word after the first starts after a joiner's space, comma or dot
        m = rules.list_item.match(text, at)
        if m is None:
            break
        stem = m.group("w")
        items.append((at, at + len(stem), stem))
        if m.group("j") is None:
            break
        at = m.end()
    return items if len(items) >= 2 else []


def find(text: str, rules: PersonRules, allow: frozenset[str] = frozenset(),
         scans: Scans | None = None) -> list[_Candidate]:
    """Name spans in ``text``: (start, end, "person", score); ``scans``: what ``prepare`` found."""
    if scans:
        names = scans.get(text)
        if names is not None:
            return names
    return _find(text, _scan(text, None, rules), rules, allow)


def _find(text: str, scan: list[tuple], rules: PersonRules, allow: frozenset[str]) -> list[_Candidate]:
    found: dict[tuple[int, int], float] = {}

    def add(start: int, end: int, level: str) -> None:
        found[(start, end)] = max(found.get((start, end), 0.0), rules.scores[level])

    for level, start, end, stem, _ in scan:
        if level in ("strong", "medium") and _accept(stem, level, rules, allow):
            add(start, end, level)
    if found:
        _lists(text, found, rules, allow)
    groups: dict[int, list[tuple[int, int, str]]] = {}
    for level, start, end, stem, group in scan:
        if level == "list":
            groups.setdefault(group, []).append((start, end, stem))
    for items in groups.values():
        if _list_accepted(text, items, found, rules, allow):
            for s, e, stem in items:
                if stem not in allow:
                    add(s, e, "list")
    for level, start, end, stem, _ in scan:
        if level in ("bare", "kin", "vocative") and (start, end) not in found and _accept(stem, level, rules, allow):
            add(start, end, level)
    if found:
        _again(text, found, rules, allow)
    return [(s, e, "person", score) for (s, e), score in sorted(found.items())]


def _list_accepted(text: str, items: list[tuple[int, int, str]], found: dict[tuple[int, int], float],
                   rules: PersonRules, allow: frozenset[str]) -> bool:
    """A list of name-like words is a list of names when one of them reads as a name at the
    list level (or was found otherwise, or is allow-listed) and every one at least as a weak
    one: not a common word to Kiwi, the ratio at least ``list_weak``, and not before 하고
    (어수선하고 이재명: a verb's ending, not a joiner)."""
    strong = 0
    for s, e, stem in items:
        if (s, e) in found or stem in allow or _accept(stem, "list", rules, allow):
            strong += 1  # an allow-listed name is a name too, though never reported
        elif name_ratio(stem, rules) < rules.threshold["list_weak"] or _kiwi_verdict(stem) == "common" \
                or text.startswith("하고", e):
            return False
    return strong >= 1


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


def _again(text: str, found: dict[tuple[int, int], float], rules: PersonRules, allow: frozenset[str]) -> None:
    """Every other whole-word mention (particle attached or not) of a name found in the text, and
    of its given name alone (홍길동 씨는 … 길동이) where that reads as a given name."""
    stems = {text[s:e] for s, e in found if e - s >= 3}
    givens = set()
    for stem in stems:
        parts = split_name(stem, rules)
        if parts and len(parts[1]) == 2 and parts[1] not in stems:
            givens.add(parts[1])
    taken = sorted(found)
    starts = [s for s, _ in taken]
    reach = list(itertools.accumulate((e for _, e in taken), max))  # furthest end up to each span
    new = {}
    for stem in sorted(stems | givens):
        at = text.find(stem)
        while at >= 0:
            end = at + len(stem)
            i = bisect.bisect_left(starts, end)  # spans starting before this mention ends
            if (at == 0 or not _word_char(text[at - 1])) and _word_ends_here(text, end) \
                    and (i == 0 or reach[i - 1] <= at) \
                    and (stem in stems or _accept(stem, "again", rules, allow)):
                new[(at, end)] = rules.scores["again"]
            at = text.find(stem, end)
    found.update(new)


def _word_ends_here(text: str, end: int) -> bool:
    """The word ends at ``end``, or only a particle (or 씨/님) follows in it."""
    tail = end
    while tail < len(text) and "가" <= text[tail] <= "힣":
        tail += 1
    return tail == end or text[end:tail] in _AFTER_AGAIN
