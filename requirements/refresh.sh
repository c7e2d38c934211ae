#!/usr/bin/env bash
# Refresh the lock: the newest releases pyproject.toml allows, resolved for every platform and
# Python the project supports (uv.lock), exported for pip (requirements/lock.txt), and the
# changed pins appended to requirements/CHANGES.md. Needs uv (pip install uv) and the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(mktemp)
cp requirements/lock.txt "$before"
uv lock --upgrade "$@"
uv export --frozen --all-extras --no-hashes --no-emit-project --no-header -o requirements/lock.txt
python3 - "$before" requirements/lock.txt <<'PY'
import datetime, re, sys

def pins(path):
    found = {}
    for line in open(path, encoding="utf-8"):
        match = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)\s*(;.*)?$", line.strip())
        if match:
            found[(match[1].lower(), (match[3] or "").strip("; "))] = match[2]
    return found

old, new = pins(sys.argv[1]), pins(sys.argv[2])
lines = []
for key in sorted(old.keys() | new.keys()):
    name, marker = key
    where = f" ({marker})" if marker else ""
    if old.get(key) != new.get(key):
        lines.append(f"- {name}{where}: {old.get(key, 'new')} -> {new.get(key, 'removed')}")
if not lines:
    print("lock unchanged")
    sys.exit(0)
with open("requirements/CHANGES.md", "a", encoding="utf-8") as log:
    log.write(f"\n## {datetime.date.today()}: uv lock --upgrade\n" + "\n".join(lines) + "\n")
print("\n".join(lines))
touched = {name for name, marker in old.keys() | new.keys() if old.get((name, marker)) != new.get((name, marker))}
if touched & {"numpy", "scipy", "scikit-learn"}:
    print("numpy/scipy/scikit-learn changed: retrain the shipped toxicity model "
          "(curate toxicity train), compare `curate toxicity eval` with docs/results-toxicity.md")
if touched & {"faker"}:
    print("Faker changed: rebuild samples/ (python samples/make_sample.py) and "
          "benchmarks/pii_eval (python benchmarks/pii_eval/build_eval_set.py); review the diff")
if touched & {"kiwipiepy", "kiwipiepy-model"}:
    print("Kiwi changed: its cuts decide the tokenizer; re-run benchmarks/bench_tokenizer.py")
print("then install from the new lock in a fresh venv and run the suite (CI=true bash .ci/run)")
PY
