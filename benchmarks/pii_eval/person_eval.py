"""The opt-in ``person`` type on real Korean text: names planted in many contexts, hard negatives.

Host sentences are real (../shared/data, read at run time, never copied into the repository);
the names and the phrases around them are planted, one phrase per host, at a random space (or
around the host, for a name mentioned twice). Two parts that share nothing but the context
families:

* ``tuned``: NSMC reviews and Wikinews sentences, phrasings ``TUNED``, Faker ko_KR names (whose
  given names feed rules/pii/person_given_syllables.tsv), seed 16. The rules were checked on it.
* ``heldout``: K-MHaS and BEEP! comments and NANET book-review sentences, other phrasings
  (``HELDOUT``: other titles, roles, age and self-introduction forms, some of them in no rule
  list), names drawn from the surname shares (rare surnames too) and ``HELDOUT_GIVEN`` (given
  names in neither the hand list nor Faker's), seed 1616. Run after the rules were fixed.

Hosts in which Kiwi (on the whole sentence) finds a proper noun that starts with a surname are
left out, so that a person span in a host is a false positive, not a real name nobody labelled.
Hard negatives: name-shaped common words in naming contexts (정부 관계자, 이상 기후, 강남 지역,
고객 정보, 저는 학생입니다) planted the same way, the hosts themselves, and public figures'
names in titled contexts with the user's allow-list naming them (they must stay untouched).

Recall: planted names wholly inside a ``person`` span. Precision: ``person`` spans that overlap a
planted name / all ``person`` spans in the part (positives, negatives and hosts).

    python benchmarks/pii_eval/person_eval.py [--part tuned|heldout|both] [--per-family 60] [--show-misses]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import time
from collections import defaultdict
from pathlib import Path

from faker import Faker

from curate.pii.detect import Detector

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO.parent / "shared" / "data"

# ---------------------------------------------------------------- phrases
# {n} {n2} {n3}: names (gold); {p}: a particle chosen for the sound before it (가/이, 는/은, ...);
# {c}: a copula form (입니다, 이에요/예요, 이라고/라고); {HOST}: the host sentence (otherwise the
# phrase goes in at a random space of the host). Families are scored separately.
TUNED: dict[str, list[str]] = {
    "title": ["{n} 씨{p}", "{n}씨{p}", "{n} 기자{p}", "{n} 교수{p}", "{n} 의원{p}", "{n} 대표{p}",
              "{n} 선생님{p}", "{n} 감독{p}", "{n} 선수{p}", "{n} 변호사{p}", "{n} 팀장{p}"],
    "honorific": ["{n}님{p}", "{n}군{p}", "{n}양{p}", "{n} 님{p}"],
    "age": ["{n}(35){p}", "{n}(35세){p}", "{n}(남, 42세){p}", "{n}(28·회사원){p}"],
    "role": ["환자 {n}{p}", "보호자 {n}{p}", "고객 {n}{p}", "작성자 {n}", "작성자: {n}", "신청인 {n}{p}",
             "성명: {n}", "이름: {n}", "담당자 {n}{p}", "피해자 {n}{p}"],
    "intro": ["저는 {n}{c}", "제 이름은 {n}{c}", "안녕하세요 {n}{c}", "{n}{c} 합니다"],
    "list": ["참석자: {n}, {n2}, {n3}", "{n}, {n2}, {n3} 씨{p}", "{n}·{n2} 교수{p}"],
    "byline": ["{n} 기자 =", "(서울=연합뉴스) {n} 기자 =", "글·사진 {n}"],
    "coref": ["{n} 씨{p} {HOST} {n}{p} 덧붙였다.", "{n} 교수{p} {HOST} 이에 대해 {n}{p} 말했다."],
    "bare": ["{n}{p} {HOST}", "{HOST} 이후 {n}{p} 말했다."],
}
HELDOUT: dict[str, list[str]] = {
    "title": ["{n} 회장{p}", "{n} 원장{p}", "{n} 작가{p}", "{n} 과장{p}", "{n} 판사{p}", "{n} 사무관{p}",
              "{n} 간호사{p}", "{n} 주무관{p}", "{n} 목사{p}", "{n} 이사{p}"],
    "honorific": ["{n} 씨{p}", "{n} 군{p}", "{n} 양{p}", "{n}님께"],
    "age": ["{n}(61){p}", "{n}(여·55){p}", "{n}(7세){p}", "{n}(32·주부){p}", "{n} (45세){p}", "{n}(만 40세){p}"],
    "role": ["환자명 {n}", "보호자: {n}", "고객명: {n}", "작성자 : {n}", "예금주 {n}", "수령인: {n}",
             "피의자 {n}{p}", "학생 {n}{p}", "민원인 {n}{p}", "신청자 {n}", "받는 사람: {n}"],
    "intro": ["저는 {n}{c} 합니다", "제 이름은 {n}{c}", "{n}{c}. 잘 부탁드립니다", "전 {n}{c}", "상담원 {n}{c}"],
    "list": ["수상자는 {n}, {n2}, {n3}이다", "{n}·{n2}·{n3} 씨{p}", "위원: {n}, {n2}"],
    "byline": ["[{n} 기자]", "{n} 기자 (사진)", "- {n} 드림"],
    "coref": ["{n} 원장{p} {HOST} {n}{p} 설명했다.", "피해자 {n} 씨{p} {HOST} {n}{p} 다시 찾았다."],
    "bare": ["{n}{p} {HOST}", "{HOST} 그러자 {n}{p} 웃었다."],
}
# given names kept out of rules/pii/person_given_names.txt and of Faker's lists
HELDOUT_GIVEN = (
    "재형 규현 태웅 인호 세훈 찬영 희수 기범 원석 하람 시윤 이안 로운 건희 한별 다온 서아 하린 채윤 나은 "
    "소율 연우 시은 예서 지안 윤아 도영 주희 혜린 은비 가영 보영 선희 미나 인숙 복순 점순 금순 덕희 필순 "
    "봉수 만석 칠성 용팔 달수 갑동 병만 치수 판석 윤호 창민 규리 효리 태연 상욱 재범 택연 우영 찬성 유천 "
    "승기 효신 범수 동원 강인 중기 혜교 지효 소희 은혜 나래 세영 주연 정연 채영 다현 미연 슬아 효정 한나 "
    "승연 규빈 태양 세빈 하율 경태 명진 두식 판수 옥희 말자 영애 정란 은숙 혜숙"
).split()
NEGATIVES = {
    "tuned": ["정부 관계자는", "이상 기후로", "강남 지역", "한편 이날", "전국 각지에서", "고객 정보가", "환자 상태가",
              "보호자 동의서", "작성자 본인이", "저는 학생입니다", "이번 대표는", "한국 기자들", "전직 의원",
              "신임 사장이", "조선 선비", "한강 공원에서", "저는 괜찮습니다", "제 이름은 비밀입니다",
              "고객님 감사합니다", "성명: 미기재",
              "정말 감독이", "이번 감독은", "전문 상담원", "이런 선수가", "강남 씨앗"],
    "heldout": ["정치 기자는", "이상한 사장님", "안전 요원", "한국 선수들", "강북 주민", "전주 시민", "고양 시장",
                "김치 장사", "조금 전 기자가", "이미 대표가", "박수 소리가", "이야기 작가", "문제 학생", "신고 환자",
                "장기 보호자", "전화 상담원", "저는 회사원입니다", "제 이름은 뭐예요", "수석 연구원", "정식 회원",
                "양심 선언", "한번 선생님께", "공부 잘하는 학생", "고민 상담", "송년 회장"],
}
PUBLIC = {
    "tuned": (["문재인 대통령", "손흥민 선수", "봉준호 감독", "유재석 씨", "김연아 선수"],
              ["문재인", "손흥민", "봉준호", "유재석", "김연아"]),
    "heldout": (["윤석열 대통령이", "박지성 해설위원", "이순신 장군", "한강 작가의", "조용필 씨는"],
                ["윤석열", "박지성", "이순신", "한강", "조용필"]),
}
PARTS = {
    "tuned": {"hosts": ("nsmc", "wikinews"), "phrases": TUNED, "names": "faker", "seed": 16},
    "heldout": {"hosts": ("kmhas", "beep", "nanet"), "phrases": HELDOUT, "names": "heldout", "seed": 1616},
}
PAIRS = [("이", "가"), ("은", "는"), ("을", "를"), ("과", "와"), ("의", "의"), ("도", "도"), ("에게", "에게"),
         ("께서", "께서"), ("", "")]
COPULAS = [("입니다", "입니다"), ("이에요", "예요"), ("이라고", "라고")]


def batchim(syllable: str) -> bool:
    return "가" <= syllable <= "힣" and (ord(syllable) - 0xAC00) % 28 != 0


# ---------------------------------------------------------------- hosts


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if 15 <= len(s.strip()) <= 200]


def load_hosts(sources: tuple[str, ...], limit: int) -> list[str]:
    texts: list[str] = []
    per = limit // len(sources) + 1
    for source in sources:
        got: list[str] = []
        if source == "nsmc":
            with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
                for line in fh:
                    text = json.loads(line).get("text")
                    if isinstance(text, str) and text.count(" ") >= 3:
                        got += _sentences(text)
                    if len(got) >= per * 3:
                        break
        elif source in ("wikinews", "nanet"):
            name = "wikinews_ko.csv" if source == "wikinews" else "nanet_book_reviews.csv"
            with (DATA / name).open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    got += _sentences(row.get("내용") or "")
        else:
            name, column = ("kmhas_valid.tsv", "document") if source == "kmhas" else ("beep_train.tsv", "comments")
            with (DATA / name).open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh, delimiter="\t"):
                    got += _sentences(row.get(column) or "")
        random.Random(source).shuffle(got)
        texts += got[: per * 3]
    return texts


def without_names(texts: list[str], surnames: set[str]) -> list[str]:
    """Hosts in which Kiwi, reading the whole sentence, finds no proper noun starting with a surname."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    kept = []
    for text, tokens in zip(texts, kiwi.tokenize(texts), strict=True):
        if not any(t.tag == "NNP" and t.form[:1] in surnames for t in tokens) and "씨" not in text:
            kept.append(text)
    return kept


# ---------------------------------------------------------------- building


def render(template: str, names: list[str], rng: random.Random, host: str) -> tuple[str, list[tuple[int, int]]]:
    """The phrase (with the host when it holds {HOST}) and the gold spans of its names."""
    out, spans = "", []
    pieces = re.split(r"(\{n\d?\}|\{p\}|\{c\}|\{HOST\})", template)
    pair, copula = rng.choice(PAIRS), rng.choice(COPULAS)
    for piece in pieces:
        if piece.startswith("{n"):
            name = names[int(piece[2]) - 1 if piece[2] != "}" else 0]
            spans.append((len(out), len(out) + len(name)))
            out += name
        elif piece == "{p}":
            out += pair[0] if batchim(out[-1]) else pair[1]
        elif piece == "{c}":
            out += copula[0] if batchim(out[-1]) else copula[1]
        elif piece == "{HOST}":
            out += host
        else:
            out += piece
    return out, spans


def _name_source(kind: str, rng: random.Random, fake: Faker):
    if kind == "faker":
        return fake.name
    from curate.rules import load_words

    rows = [line.split("\t") for line in load_words("pii/person_surnames.tsv")]
    surnames, weights = [r[0] for r in rows], [float(r[1]) for r in rows]
    return lambda: rng.choices(surnames, weights)[0] + rng.choice(HELDOUT_GIVEN)


def build(part: str, per_family: int = 60) -> list[dict]:
    spec = PARTS[part]
    rng = random.Random(spec["seed"])
    fake = Faker("ko_KR")
    fake.seed_instance(spec["seed"])
    from curate.rules import load_words

    surnames = {line.split("\t")[0][:1] for line in load_words("pii/person_surnames.tsv")}
    hosts = without_names(load_hosts(spec["hosts"], 3000), surnames)
    new_name = _name_source(spec["names"], rng, fake)
    rows: list[dict] = []

    def plant(template: str, names: list[str]) -> tuple[str, list[tuple[int, int]]]:
        host = rng.choice(hosts)
        if "{HOST}" in template:
            return render(template, names, rng, host)
        phrase, spans = render(template, names, rng, host)
        cuts = [0] + [i + 1 for i, ch in enumerate(host) if ch == " "]
        cut = rng.choice(cuts)
        head = host[:cut]
        text = head + phrase + " " + host[cut:]
        return text.rstrip(), [(s + len(head), e + len(head)) for s, e in spans]

    for family, templates in spec["phrases"].items():
        for i in range(per_family):
            names = [new_name() for _ in range(3)]
            text, spans = plant(templates[i % len(templates)], names)
            rows.append({"part": part, "kind": "positive", "family": family, "text": text, "spans": spans})
    for i in range(per_family * 4):
        text, _ = plant(NEGATIVES[part][i % len(NEGATIVES[part])], [])
        rows.append({"part": part, "kind": "negative", "family": "look_alike", "text": text, "spans": []})
    phrases, allow = PUBLIC[part]
    for i in range(per_family):
        text, _ = plant(phrases[i % len(phrases)], [])
        rows.append({"part": part, "kind": "negative", "family": "allow_listed", "text": text, "spans": [],
                     "allow": allow})
    for host in rng.sample(hosts, min(len(hosts), per_family * 4)):
        rows.append({"part": part, "kind": "negative", "family": "host_only", "text": host, "spans": []})
    return rows


# ---------------------------------------------------------------- scoring


def detect_all(rows: list[dict], types: list[str]) -> list[list[tuple[int, int]]]:
    """Person spans per row; the allow-listed rows with the user's allow-list."""
    plain = Detector(types=types)
    found = []
    for row in rows:
        detector = plain
        if row.get("allow"):
            try:
                detector = Detector(types=types, allow=row["allow"])
            except TypeError:  # a detector without allow-lists: the names are found
                detector = plain
        found.append([(s.start, s.end) for s in detector.detect(row["text"]) if s.type == "person"])
    return found


def score(rows: list[dict], found: list[list[tuple[int, int]]], show_misses: bool = False) -> dict:
    by_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    predicted = true_predicted = 0
    for row, spans in zip(rows, found, strict=True):
        for s, e in spans:
            predicted += 1
            true_predicted += any(s < ge and gs < e for gs, ge in row["spans"])
        if row["kind"] == "positive":
            for gs, ge in row["spans"]:
                hit = any(s <= gs and ge <= e for s, e in spans)
                by_family[row["family"]][0] += 1
                by_family[row["family"]][1] += hit
                if show_misses and not hit:
                    print(f"miss [{row['family']}]: {row['text'][max(0, gs - 25):ge + 15]!r}")
        else:
            by_family[row["family"]][0] += 1
            by_family[row["family"]][1] += bool(spans)
            if show_misses and spans:
                shown = ", ".join(f"{row['text'][s:e]!r} in {row['text'][max(0, s - 12):e + 8]!r}" for s, e in spans)
                print(f"false [{row['family']}]: {shown}")
    positives = {f: v for f, v in by_family.items() if f not in ("look_alike", "allow_listed", "host_only")}
    support = sum(v[0] for v in positives.values())
    hits = sum(v[1] for v in positives.values())
    return {
        "recall": hits / support if support else 0.0,
        "support": support,
        "precision": true_predicted / predicted if predicted else 1.0,
        "predicted": predicted,
        "families": dict(by_family),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["tuned", "heldout", "both"], default="both")
    parser.add_argument("--per-family", type=int, default=60)
    parser.add_argument("--all-types", action="store_true", help="every default type on, as well as person")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    types = [*Detector().types, "person"] if args.all_types else ["person"]
    for part in ["tuned", "heldout"] if args.part == "both" else [args.part]:
        rows = build(part, args.per_family)
        started = time.perf_counter()
        found = detect_all(rows, types)
        elapsed = time.perf_counter() - started
        m = score(rows, found, args.show_misses)
        on = "all + person" if args.all_types else "person"
        print(f"\n### part: {part} ({len(rows)} texts, {elapsed:.2f} s, types: {on})\n")
        print(f"person recall {m['recall']:.4f} (n={m['support']}), precision {m['precision']:.4f} "
              f"({m['predicted']} spans)")
        print("\n| family | n | recall (positives) / texts touched (negatives) |\n|---|---:|---:|")
        for family, (n, k) in m["families"].items():
            print(f"| {family} | {n} | {k / n:.4f} |")


if __name__ == "__main__":
    main()
