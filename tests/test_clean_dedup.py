"""dedup_exact: documents and sentences across batches, independent of how the corpus is cut."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from curate.executors.shuffle import states_in_memory
from curate.steps.dedup_exact import DedupExact, DedupState

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def run(step: DedupExact, texts: list[str], batch_size: int) -> tuple[list[str | None], list[str], int]:
    """summarize every batch, shuffle, reduce, apply: what either executor does, in one process."""
    batches = [pl.DataFrame({"id": [f"d{i}" for i in range(start, min(start + batch_size, len(texts)))],
                             "text": texts[start:start + batch_size],
                             "_shard": [start // batch_size] * len(texts[start:start + batch_size]),
                             "_row": list(range(len(texts[start:start + batch_size])))},
                            schema_overrides={"_shard": pl.Int64, "_row": pl.Int64})
               for start in range(0, len(texts), batch_size)]
    # the partition count must not matter: 1 and 5 give the same states
    states = states_in_memory(step, batches, partitions=5)
    for mine, one in zip(states, states_in_memory(step, batches, 1), strict=True):
        assert mine.documents.equals(one.documents) and mine.sentences.equals(one.sentences)
    outs = [step.apply(b, state) for b, state in zip(batches, states, strict=True)]
    frame = pl.concat([o.df for o in outs])
    removed = sum(o.counters["sentences_removed"] for o in outs)
    return frame["_drop"].to_list(), frame["text"].to_list(), removed


def test_duplicate_documents_keep_first_occurrence():
    texts = ["첫 문서입니다.", "둘째 문서", "첫  문서입니다. ", "셋째", "둘째 문서"]
    drops, _, _ = run(DedupExact(), texts, batch_size=2)
    assert drops == [None, None, "duplicate_document", None, "duplicate_document"]


def test_repeated_sentences_removed_short_lines_kept():
    texts = ["공통으로 나오는 긴 문장입니다.\nㅋㅋ\n첫 문서만의 문장이에요.",
             "둘째 문서의 첫 문장이에요.\n공통으로 나오는 긴 문장입니다.\nㅋㅋ",
             "공통으로 나오는 긴 문장입니다.\nㅋㅋ\n첫 문서만의 문장이에요."]
    drops, out, removed = run(DedupExact(sentences=True, min_sentence_chars=10), texts, batch_size=1)
    assert drops == [None, None, "duplicate_document"]
    assert out[:2] == [texts[0], "둘째 문서의 첫 문장이에요.\nㅋㅋ"]
    assert removed == 1


def test_documents_off_sentences_only():
    texts = ["반복되는 문장이 여기 있습니다.", "반복되는 문장이 여기 있습니다."]
    drops, out, removed = run(DedupExact(documents=False, sentences=True, min_sentence_chars=5), texts, 1)
    assert drops == [None, None]
    assert out == [texts[0], ""]
    assert removed == 1


def test_real_reviews_same_result_for_any_batching():
    if not DATA.exists():
        pytest.skip("shared data missing")
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(20000), fh, strict=False)]
    step = DedupExact()
    a = run(step, texts, 20000)
    b = run(step, texts, 777)
    assert a == b
    seen: set[str] = set()
    expected = []
    for t in texts:
        key = " ".join(t.split())
        expected.append("duplicate_document" if key in seen else None)
        seen.add(key)
    assert a[0] == expected
    assert expected.count("duplicate_document") > 0


def test_hash_is_stable_across_processes():
    code = ("import polars as pl; from curate.steps.dedup_exact import DedupExact;"
            "df = pl.DataFrame({'text': ['가나다 라마', '영화 ㅋㅋ'], '_shard': [0, 0], '_row': [0, 1]});"
            "print(DedupExact(sentences=True, min_sentence_chars=1).summarize(df).to_dicts())")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
               for _ in range(2)}
    assert len(outputs) == 1


def test_state_holds_positions_not_text():
    step = DedupExact(sentences=True, min_sentence_chars=1)
    df = pl.DataFrame({"text": ["비밀 문장", "비밀 문장"], "_shard": [0, 0], "_row": [0, 1]})
    [state] = states_in_memory(step, [df])
    assert isinstance(state, DedupState)
    for part in (state.documents, state.sentences):
        assert all(dtype.is_integer() for dtype in part.dtypes)
