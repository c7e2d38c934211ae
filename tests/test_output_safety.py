"""What a run may do to its output directory: remove only curate's own files, never an
input, the current directory or a directory curate did not make; one run at a time; the
key a run was started with is the only one it resumes with; a full or read-only disk is a
clear error, not a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from spine_util import jsonl, output_bytes, write_recipe

from curate.config import RecipeError, load_recipe
from curate.executors import get_executor
from curate.executors.claim import OutputLock

KEY_A, KEY_B = "a-key-long-enough-1234", "b-key-long-enough-5678"
RECORDS = [{"id": str(i), "text": f"연락처는 010-1234-{5600 + i}입니다. 오늘 {i}번째 문서."} for i in range(40)]


def _run(recipe: Path, overwrite: bool = False, **overrides):
    loaded = load_recipe(recipe, overrides)
    return get_executor("local", 1).run(loaded, overwrite=overwrite, log=lambda _: None)


def _cli(recipe: Path, *extra: str, env: dict | None = None, cwd: Path | None = None):
    base = {k: v for k, v in os.environ.items() if k != "CURATE_PII_KEY"}
    done = subprocess.run([sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet", *extra],
                          capture_output=True, text=True, timeout=300, env={**base, **(env or {})}, cwd=cwd)
    done.stderr = " ".join(done.stderr.split())  # rich wraps messages at the terminal's width
    return done


@pytest.fixture
def project(tmp_path):
    """A project directory: a recipe, its input, and files of the user's own."""
    (tmp_path / "in.jsonl").write_bytes(jsonl(RECORDS))
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "code.py").write_text("print(1)", encoding="utf-8")
    return tmp_path


def test_overwrite_with_an_empty_output_never_clears_the_current_directory(project, monkeypatch, tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus") / "in.jsonl"
    corpus.write_bytes(jsonl(RECORDS))
    recipe = write_recipe(project, [str(corpus)], [{"step": "noop"}], workers=1)
    monkeypatch.chdir(project)
    with pytest.raises(RecipeError, match="not empty and holds no curate run"):
        _run(recipe, overwrite=True, output="")
    assert (project / "notes.md").read_text() == "mine" and (project / "src" / "code.py").exists()
    assert (project / "in.jsonl").exists() and corpus.exists()


def test_an_input_inside_the_output_is_refused_and_kept(project):
    (project / "o").mkdir()
    shutil.move(project / "in.jsonl", project / "o" / "c.jsonl")
    recipe = write_recipe(project, ["o/c.jsonl"], [{"step": "noop"}])
    for overwrite in (False, True):
        with pytest.raises(RecipeError, match="lies inside the output directory"):
            _run(recipe, overwrite=overwrite, output=str(project / "o"))
    assert (project / "o" / "c.jsonl").read_bytes() == jsonl(RECORDS)


def test_overwrite_removes_only_what_curate_wrote(project):
    recipe = write_recipe(project, ["in.jsonl"], [{"step": "noop"}], workers=1)
    out = project / "out"
    _run(recipe)
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious").write_text("x", encoding="utf-8")
    shutil.rmtree(out / "reports", ignore_errors=True)
    (out / "reports").symlink_to(elsewhere, target_is_directory=True)  # followed, it would lose 'precious'
    report = _run(recipe, overwrite=True)
    assert report["records_kept"] == len(RECORDS)
    assert (out / "mine.txt").read_text() == "keep me"
    assert (elsewhere / "precious").exists()


def test_overwrite_refuses_a_directory_curate_did_not_make(project):
    recipe = write_recipe(project, ["in.jsonl"], [{"step": "noop"}], workers=1)
    (project / "out").mkdir()
    (project / "out" / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(RecipeError, match="holds no curate run"):
        _run(recipe, overwrite=True)
    assert (project / "out" / "thesis.tex").exists()


def test_a_second_run_into_the_same_output_is_refused_with_the_holder(project):
    recipe = write_recipe(project, ["in.jsonl"], [{"step": "noop"}], workers=1)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from curate.executors.claim import OutputLock\n"
        f"with OutputLock(Path({str(project / 'out')!r})):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        second = _cli(recipe)
        assert second.returncode == 2
        assert f"in use by another curate run (pid {holder.pid} on " in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        holder.kill()  # like SIGKILL of a run: the kernel releases the lock
        holder.wait()
    after = _cli(recipe)
    assert after.returncode == 0, after.stderr


def test_the_lock_is_released_when_the_run_ends(project):
    recipe = write_recipe(project, ["in.jsonl"], [{"step": "noop"}], workers=1)
    _run(recipe)
    with OutputLock(project / "out"):  # free again: taking it does not raise
        pass


def _pii_recipe(project: Path, **pii) -> Path:
    return write_recipe(project, ["in.jsonl"], [{"step": "pii", **pii}], batch_size=10, workers=1)


def _interrupt(out: Path) -> None:
    """What a killed run leaves: some shards without their marker (and their part)."""
    for marker in sorted((out / "_state" / "done" / "stage-0").glob("part-*.json"))[2:]:
        marker.unlink()
        (out / "data" / f"{marker.stem}.parquet").unlink()


def test_resuming_with_another_key_is_refused_naming_both_digests(project):
    recipe = _pii_recipe(project)
    assert _cli(recipe, env={"CURATE_PII_KEY": KEY_A}).returncode == 0
    clean = output_bytes(project / "out")
    _interrupt(project / "out")
    other = _cli(recipe, env={"CURATE_PII_KEY": KEY_B})
    assert other.returncode == 2 and "written with key" in other.stderr and "--overwrite" in other.stderr
    assert KEY_A not in other.stderr and KEY_B not in other.stderr
    keyless = _cli(recipe)
    assert keyless.returncode == 2 and "without its key" in keyless.stderr
    again = _cli(recipe, env={"CURATE_PII_KEY": KEY_A})
    assert again.returncode == 0, again.stderr
    assert output_bytes(project / "out") == clean
    assert _cli(recipe, "--overwrite", env={"CURATE_PII_KEY": KEY_B}).returncode == 0
    assert KEY_A.encode() not in b"".join(p.read_bytes() for p in (project / "out").rglob("*") if p.is_file())


def test_a_run_with_a_random_key_cannot_be_resumed(project):
    recipe = _pii_recipe(project)
    first = _cli(recipe)
    assert first.returncode == 0 and "random key" in first.stderr
    finished = output_bytes(project / "out")
    rerun = _cli(recipe)  # nothing left to do: a finished run only rewrites its report
    assert rerun.returncode == 0, rerun.stderr
    assert output_bytes(project / "out") == finished
    _interrupt(project / "out")
    again = _cli(recipe)
    assert again.returncode == 2 and "random key" in again.stderr


def test_the_pii_step_key_file_is_the_run_key(project):
    key_file = project / "pii.key"
    key_file.write_text(KEY_A + "\n", encoding="utf-8")
    recipe = _pii_recipe(project, key_file="pii.key")
    assert _cli(recipe, "--output", str(project / "one")).returncode == 0
    assert _cli(recipe, "--output", str(project / "two")).returncode == 0
    assert _cli(_pii_recipe(project), "--output", str(project / "env"), env={"CURATE_PII_KEY": KEY_A}).returncode == 0
    assert output_bytes(project / "one") == output_bytes(project / "two") == output_bytes(project / "env")


def test_a_short_key_is_refused_before_the_run(project):
    recipe = _pii_recipe(project)
    short = _cli(recipe, env={"CURATE_PII_KEY": "s"})
    assert short.returncode == 2 and "is 1 bytes; a key needs at least 16" in short.stderr
    assert not (project / "out").exists()


def test_a_read_only_output_directory_is_a_clear_error(project):
    if shutil.which("chattr") is None:
        pytest.skip("chattr not found")
    recipe = write_recipe(project, ["in.jsonl"], [{"step": "noop"}], workers=1)
    locked = project / "ro"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i not permitted here")
    try:
        result = _cli(recipe, "--output", str(locked / "out"))
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert result.returncode == 2, result.stderr
    assert "Operation not permitted" in result.stderr and "Traceback" not in result.stderr


def test_a_full_disk_is_a_clear_error_and_the_rerun_resumes(project):
    disk = project / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        big = [{"id": str(i), "text": f"{i}번째 문서는 충분히 길어서 디스크를 채웁니다. " * 40} for i in range(400)]
        (project / "big.jsonl").write_bytes(jsonl(big))
        recipe = write_recipe(project, ["big.jsonl"], [{"step": "noop"}], batch_size=20, workers=1)
        full = _cli(recipe, "--output", str(disk / "out"))
        assert full.returncode == 2
        assert "No space left on device" in full.stderr and "Traceback" not in full.stderr
        assert not list((disk / "out").rglob(".*.tmp-*"))  # no half-written file left behind
    finally:
        time.sleep(0.1)
        subprocess.run(["umount", str(disk)], check=False)


@pytest.mark.parametrize("mode", ["mask", "remove_sentence"])
def test_no_key_warning_where_no_fake_is_written(project, mode):
    """Issue 21: the "fakes differ between runs" warning appeared in remove_sentence mode, where no
    fake is written; mask and remove_sentence need no key, and their runs resume without one."""
    recipe = _pii_recipe(project, mode=mode)
    first = _cli(recipe)
    assert first.returncode == 0 and "random key" not in first.stderr, first.stderr
    finished = output_bytes(project / "out")
    _interrupt(project / "out")
    again = _cli(recipe)
    assert again.returncode == 0, again.stderr
    assert output_bytes(project / "out") == finished
