"""One home per PII type (issue 16): a type is one rules file, rules/pii/types/<type>.yaml, and
the Python module it names (curate/pii/type_code/<type>.py). Adding one touches those two places
only: a type added in a recipe's rules directory, with its code on the path, is detected, masked,
hashed and faked, in one process and in a run's workers. A wrong file is an error naming it."""

from __future__ import annotations

import json
import pkgutil
import re
import textwrap
from pathlib import Path

import pytest
from spine_util import read_outputs, run, write_recipe

import curate.pii.type_code
from curate.pii import Detector, Pseudonymizer
from curate.pii.catalog import PiiRulesError, pii_types
from curate.pii.type_code import TypeCode
from curate.rules import pack_rules_dir, shipped_rules_dir, use_rules_dir

KEY = b"types-test-key-0123456789"
CODE_DIR = Path(curate.pii.type_code.__file__).parent

# A made-up type: a shop's member numbers (MB-123456), whose last digit is the sum of the others
# mod 10. Its YAML and its module are all it takes.
MEMBER_YAML = """\
order: 500
tag: "[회원번호]"
private: true
default: true
code: toy_member_id

candidate: 'MB-[0-9]{6}'
patterns:
  - name: member
    regex: '{L}MB-[0-9]{6}{R}'
    score: 0.4
    bonus: {member_check_ok: 0.3}
context: [회원번호]

fake:
  prefix: MB
"""
MEMBER_CODE = """\
from curate.pii.checksums import digits_of
from curate.pii.fake_parts import fake_settings, random_digits
from curate.pii.type_code import TypeCode


def member_check_ok(value):
    d = digits_of(value)
    return sum(map(int, d[:5])) % 10 == int(d[5])


def fake_member_id(value, rng, faker):
    body = random_digits(rng, 5)
    return f"{fake_settings('member_id')['prefix']}-{body}{sum(map(int, body)) % 10}"


CODE = TypeCode(fake=fake_member_id, normalize=digits_of, validators=(member_check_ok,))
"""
TEXT = "가입 확인: 회원번호 MB-123455 로 적립됩니다. 문의 010-3456-7890."
VALUE = "MB-123455"


@pytest.fixture(autouse=True)
def _shipped_rules_after():
    yield
    use_rules_dir(None)


def _rules_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A rules directory holding ``files`` (relative name -> text); every other file is shipped."""
    root = tmp_path / "my-rules"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def member_rules(tmp_path, monkeypatch):
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    (code_dir / "toy_member_id.py").write_text(MEMBER_CODE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(code_dir))
    return _rules_with(tmp_path, {"pii/types/member_id.yaml": MEMBER_YAML})


def test_every_type_file_names_a_code_module_and_every_module_has_a_type_file():
    modules = {m.name for m in pkgutil.iter_modules([str(CODE_DIR)]) if not m.name.startswith("_")}
    named = {}
    for name, pii_type in pii_types().items():
        assert pii_type.path == shipped_rules_dir() / "pii" / "types" / f"{name}.yaml"
        assert isinstance(pii_type.code, TypeCode) and callable(pii_type.code.fake), pii_type.path
        named[pii_type.rules["code"]] = name
    assert named == {f"curate.pii.type_code.{name}": name for name in pii_types()}
    without_file = sorted(modules - set(pii_types()))
    assert not without_file, f"no rules/pii/types/<type>.yaml names {[str(CODE_DIR / m) + '.py' for m in without_file]}"


def test_types_keep_their_order_and_declarations():
    types = pii_types()
    assert list(types) == ["phone", "phone_rep", "rrn", "frn", "email", "url", "ipv4", "ipv6", "mac", "mention",
                           "address", "bank_account", "passport", "driver_license", "brn", "health_insurance",
                           "card", "vehicle_plate", "person"]
    assert [t.order for t in types.values()] == sorted(t.order for t in types.values())
    assert {n for n, t in types.items() if not t.default} == {"phone_rep", "person"}
    assert {n for n, t in types.items() if not t.private} == {"phone_rep", "url", "brn"}
    assert types["rrn"].tag == "[주민등록번호]" and types["ipv6"].tag == types["ipv4"].tag == "[IP주소]"


def test_a_type_added_in_a_rules_directory_is_detected_masked_hashed_and_faked(member_rules):
    use_rules_dir(member_rules)
    assert list(pii_types())[-1] == "member_id" and "phone" in pii_types()  # added to the shipped ones
    spans = Detector().detect(TEXT)
    assert [(TEXT[s.start:s.end], s.type, s.score) for s in spans] == [
        (VALUE, "member_id", 1.0), ("010-3456-7890", "phone", 1.0)]  # 0.4 + check 0.3 + context 0.3
    assert Detector(types=["member_id"]).detect(TEXT.replace("회원번호 ", "")) != []  # 0.7 without context
    assert Detector(types=["member_id"]).detect("MB-123456") == []  # wrong check digit: 0.4 < 0.6
    masked = Pseudonymizer(key=KEY, mode="mask").pseudonymize(TEXT)
    assert masked == "가입 확인: 회원번호 [회원번호] 로 적립됩니다. 문의 [전화번호]."
    hashed = Pseudonymizer(key=KEY, mode="hash").pseudonymize(TEXT)
    assert re.search(r"회원번호 \[회원번호:[0-9a-f]{8}\] 로", hashed)
    p = Pseudonymizer(key=KEY)
    faked = p.pseudonymize(TEXT)
    fake = re.search(r"회원번호 (\S+) 로", faked).group(1)
    assert re.fullmatch(r"MB-\d{6}", fake) and fake != VALUE
    assert p.pseudonymize_batch([TEXT, "평범한 문장"]) == [faked, "평범한 문장"]  # batch path agrees
    assert p.replacement("member_id", "MB 123455") == fake  # one value however written: its normalize
    remover = Pseudonymizer(key=KEY, mode="remove_sentence")  # a private type: its sentence goes
    assert remover.pseudonymize("회원번호 MB-123455 로 적립됩니다. 좋은 하루!") == "좋은 하루!"
    use_rules_dir(None)
    assert "member_id" not in pii_types()


def test_a_type_added_in_a_recipe_rules_directory_reaches_the_workers(member_rules, tmp_path):
    """The type file travels with the recipe's packed rules (and so enters the run's fingerprint)."""
    assert "pii/types/member_id.yaml" in pack_rules_dir(member_rules)
    (tmp_path / "pii.key").write_text(KEY.decode(), encoding="utf-8")
    records = [{"id": str(i), "text": TEXT if i % 2 else "평범한 문장입니다."} for i in range(8)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                       encoding="utf-8")
    recipe = write_recipe(tmp_path, [str(tmp_path / "in.jsonl")], [{"step": "pii", "mode": "mask"}],
                          batch_size=2, rules=str(member_rules), key={"file": str(tmp_path / "pii.key")})
    report = run(recipe, workers=2)
    kept, _, _ = read_outputs(tmp_path / "out")
    texts = dict(zip(kept["id"].to_list(), kept["text"].to_list(), strict=True))
    assert texts["1"] == "가입 확인: 회원번호 [회원번호] 로 적립됩니다. 문의 [전화번호]."
    counters = {s["step"]: s for s in report["steps"]}["pii"]["counters"]
    assert counters["pii_member_id"] == 4 and counters["pii_phone"] == 4


def test_bad_type_files_are_errors_naming_the_file(tmp_path, monkeypatch):
    """Each wrong file on its own: the error names it and says what is wrong."""
    shipped = (shipped_rules_dir() / "pii" / "types" / "passport.yaml").read_text(encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "toy_no_code.py").write_text("CODE = None\n", encoding="utf-8")
    cases = {
        "not YAML": ({"pii/types/passport.yaml": shipped.replace("tag:", "tag: [", 1)}, r"not valid YAML"),
        "a typo": ({"pii/types/passport.yaml": shipped.replace("negative_context:", "negative_contxt:")},
                   r"unknown field\(s\) 'negative_contxt'"),
        "no tag": ({"pii/types/passport.yaml": re.sub(r"(?m)^tag:.*\n", "", shipped)}, r"missing field\(s\) tag"),
        "a wrong kind": ({"pii/types/passport.yaml": shipped.replace("private: true", "private: yes please")},
                         r"private must be a bool"),
        "no module": ({"pii/types/passport.yaml": shipped.replace("curate.pii.type_code.passport", "no.such.module")},
                      r"code: cannot import 'no.such.module'"),
        "no CODE": ({"pii/types/passport.yaml": shipped.replace("curate.pii.type_code.passport", "toy_no_code")},
                    r"toy_no_code \(.*toy_no_code.py\) has no CODE"),
        "a validator the code lacks": (
            {"pii/types/passport.yaml": shipped.replace("score: 0.6\n", "score: 0.6\n    require: [luhn_valid]\n")},
            r"pattern 'current' names validator 'luhn_valid', which curate.pii.type_code.passport.CODE does not"),
        "a bad regex": ({"pii/types/passport.yaml": shipped.replace("[A-Z][0-9]{4}{R}", "[A-Z]([0-9]{4}{R}")},
                        r"pattern 'current': not a valid regex"),
        "a taken order": ({"pii/types/zz_copy.yaml": shipped}, r"zz_copy.yaml: order 130 is also .*passport.yaml's"),
        "the old layout": ({"pii/patterns.yaml": "types: {}\n"}, r"pii/patterns.yaml: no longer read"),
    }
    for case, (files, message) in cases.items():
        root = _rules_with(tmp_path / case.replace(" ", "_"), files)
        use_rules_dir(root)
        with pytest.raises(PiiRulesError, match=message) as caught:
            Detector(types=["passport"])
        assert str(root) in str(caught.value), case
    use_rules_dir(None)
    assert Detector(types=["passport"]).types == ["passport"]
