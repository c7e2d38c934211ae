"""Issue 21: the tokenizer's phase showed 0/25 then 25/25 for half a minute. Long work inside a
task (Kiwi over a partition's distinct words, the trainer reading them, BPE training) now says
how far it is, and both executors carry it to the driver's bars."""

from __future__ import annotations

import gzip
import json

import pytest
from spine_util import SHARED_DATA, write_recipe

from curate.config import load_recipe
from curate.executors import get_executor
from curate.progress import IN_TASK, reporting_to
from curate.tokenizer.morphemes import CHUNK
from curate.tokenizer.pretokenize import KIWI_WORDS, cut_eojeols


def test_kiwi_reports_the_words_it_has_cut_as_it_goes():
    words = [f"단어{i}를" for i in range(CHUNK + 808)]
    seen: list[tuple[str, int, int]] = []
    with reporting_to(lambda what, done, total: seen.append((what, done, total))):
        pieces = cut_eojeols(words, n_workers=1)
    assert len(pieces) == len(words)
    assert [(d, t) for w, d, t in seen if w == KIWI_WORDS] == [(0, len(words)), (CHUNK, len(words)),
                                                                 (len(words), len(words))]
    assert cut_eojeols(words, n_workers=1) == pieces  # reporting to nobody changes nothing


@pytest.mark.parametrize("executor", ["local", "ray"])
def test_the_tokenizer_phase_shows_progress_inside_its_tasks(tmp_path, executor):
    reviews = tmp_path / "reviews.jsonl"
    with gzip.open(SHARED_DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as src:
        lines = [next(src) for _ in range(6000)]
    reviews.write_text("".join(lines), encoding="utf-8")
    recipe = write_recipe(tmp_path, [str(reviews)], [{"step": "train_tokenizer", "vocab_size": 2000}])
    bars: dict[str, list[tuple[int, int]]] = {}
    loaded = load_recipe(recipe, {"executor": executor, "workers": 2})
    get_executor(executor, 2).run(loaded, log=lambda _: None,
                                  progress=lambda d, done, total: bars.setdefault(d, []).append((done, total)))
    inside = {d.split(IN_TASK)[1]: v for d, v in bars.items() if IN_TASK in d}
    assert set(inside) == {"Kiwi, distinct words", "trainer reads, distinct words", "bpe training, task"}
    for counts in inside.values():
        assert counts[-1][0] == counts[-1][1] > 0  # ends complete
        assert [d for d, _ in counts] == sorted(d for d, _ in counts)
    trained = json.loads((tmp_path / "out" / "tokenizer" / "training.json").read_text(encoding="utf-8"))
    assert inside["trainer reads, distinct words"][-1] == (trained["distinct_words"], trained["distinct_words"])
