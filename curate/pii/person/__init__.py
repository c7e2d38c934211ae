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

from curate.pii.person.find import Scans, find, prepare
from curate.pii.person.kiwi import clear_verdicts, kiwi_verdicts
from curate.pii.person.likelihood import given_ratio, name_ratio
from curate.pii.person.rules import PARTICLES, PersonRules, person_rules

__all__ = ["PARTICLES", "PersonRules", "Scans", "clear_verdicts", "find", "given_ratio", "kiwi_verdicts",
           "name_ratio", "person_rules", "prepare"]
