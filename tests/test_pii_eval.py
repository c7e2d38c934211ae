"""The PII evaluation set: committed, reproducible, and the detector meets the aims on it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from locked import skip_unless_locked

from curate.pii.detect import Detector

EVAL_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "pii_eval"
sys.path.insert(0, str(EVAL_DIR))

import build_eval_set  # noqa: E402
import evaluate  # noqa: E402

RECALL_AIM = PRECISION_AIM = 0.99
NEGATIVES_TOUCHED_AIM = 1 / 200


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return evaluate.load_set(EVAL_DIR / "eval_set.jsonl")


@pytest.fixture(scope="module")
def person_rows() -> list[dict]:
    return evaluate.load_set(EVAL_DIR / "eval_set_person.jsonl")


@pytest.fixture(scope="module")
def phone_rep_rows() -> list[dict]:
    return evaluate.load_set(EVAL_DIR / "eval_set_phone_rep.jsonl")


@pytest.fixture(scope="module")
def metrics(rows, person_rows, phone_rep_rows) -> dict:
    result = evaluate.evaluate(rows, Detector())
    # the opt-in types are scored with the default types and themselves switched on
    result.update(evaluate.evaluate(person_rows, Detector(types=[*Detector().types, "person"])))
    result.update(evaluate.evaluate(phone_rep_rows, Detector(types=[*Detector().types, "phone_rep"])))
    return result


def test_committed_set_is_what_the_generator_builds(rows, person_rows, phone_rep_rows):
    skip_unless_locked("faker")  # the values are Faker ko_KR's provider data
    rebuilt = build_eval_set.build_all()
    assert [{k: v for k, v in r.items() if k != "id"} for r in rows] == json.loads(json.dumps(rebuilt))
    rebuilt = build_eval_set.build_person_split()
    assert [{k: v for k, v in r.items() if k != "id"} for r in person_rows] == json.loads(json.dumps(rebuilt))
    rebuilt = build_eval_set.build_phone_rep_split()
    assert [{k: v for k, v in r.items() if k != "id"} for r in phone_rep_rows] == json.loads(json.dumps(rebuilt))


def test_set_covers_every_type_carrier_and_negative_kind(rows, person_rows):
    types = {r["type"] for r in rows if r["kind"] == "positive"}
    assert types == set(build_eval_set.GENERATORS)
    assert {r["type"] for r in person_rows if r["kind"] == "positive"} == {"person"}
    assert len(build_eval_set.TUNED) >= 60 and len(build_eval_set.HELDOUT) >= 20
    negatives = [r for r in rows if r["kind"] == "negative"]
    assert len(negatives) >= 300
    assert len({r["negative_kind"] for r in negatives}) >= 15
    for r in rows:  # offsets point at the value
        for span in r["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(r["text"])


@pytest.mark.parametrize("split", ["tuned", "heldout", "person"])
def test_recall_and_precision_per_type(metrics, split):
    for pii_type, m in metrics[split]["types"].items():
        assert m["recall"] >= RECALL_AIM, (split, pii_type, m)
        assert m["typed_recall"] >= RECALL_AIM, (split, pii_type, m)
        assert m["precision"] >= PRECISION_AIM, (split, pii_type, m)


def test_phone_rep_split(metrics, phone_rep_rows):
    """Opt-in representative numbers: found whatever particle follows, look-alikes (1588-1600년,
    15881234, 1588-1234-5678) never. The misses allowed are context-free numbers whose digits read
    as a span of years (1899-1974) or that sit in a run of spaced numbers."""
    assert {r["type"] for r in phone_rep_rows if r["kind"] == "positive"} == {"phone_rep"}
    m = metrics["phone_rep"]
    assert m["types"]["phone_rep"]["recall"] >= 0.98, m["types"]
    assert m["types"]["phone_rep"]["precision"] == 1.0, m["types"]
    assert m["negatives"]["touched"] == 0 and m["negatives"]["total"] >= 50, m["negatives"]


@pytest.mark.parametrize("split", ["tuned", "heldout", "person"])
def test_hard_negatives_untouched(metrics, split):
    assert metrics[split]["negatives"]["share"] <= NEGATIVES_TOUCHED_AIM, metrics[split]["negatives"]


@pytest.mark.parametrize("split", ["tuned", "heldout", "person"])
def test_no_recall_drop_with_particles(metrics, split):
    particle = metrics[split]["particle"]
    assert particle["with"] >= particle["without"] - 0.002, particle


def test_evaluation_notices_a_broken_detector(rows):
    """The metrics are not vacuous: a detector missing a type fails the aims."""
    crippled = Detector(types=[t for t in Detector().types if t != "phone"])
    result = evaluate.evaluate(rows, crippled)
    assert result["tuned"]["types"]["phone"]["recall"] < 0.5


def test_no_value_survives_pseudonymization(rows):
    pii = pytest.importorskip("curate.pii")
    if not hasattr(pii, "Pseudonymizer"):
        pytest.skip("pseudonymizer not available")
    detector = Detector()
    pseudonymizer = pii.Pseudonymizer(key=b"test-eval-key-0123456789", detector=detector)
    result = evaluate.evaluate(rows, detector, pseudonymizer)
    for split, m in result.items():
        leaked = {t: s["leaked"] for t, s in m["types"].items() if s["leaked"]}
        assert not leaked, (split, leaked)


def test_repeated_values_get_the_same_fake():
    pii = pytest.importorskip("curate.pii")
    if not hasattr(pii, "Pseudonymizer"):
        pytest.skip("pseudonymizer not available")
    pseudonymizer = pii.Pseudonymizer(key=b"test-eval-key-0123456789")
    text = "연락처 010-1234-5678, 다시 한번 010-1234-5678로 hong@naver.com에게 hong@naver.com으로"
    out = pseudonymizer.pseudonymize(text)
    assert "010-1234-5678" not in out and "hong@naver.com" not in out
    for pii_type, value in (("phone", "010-1234-5678"), ("email", "hong@naver.com")):
        fake = pseudonymizer.replacement(pii_type, value)
        assert fake != value and out.count(fake) == 2
