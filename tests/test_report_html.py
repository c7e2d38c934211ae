"""Issue 21: report.html's length histogram had no count axis and bins labelled 1, 3, 7, 15; the read
step showed 12,785.9 MB/s; "1 shards"; the resumed column was empty; PII found by type was only rows
of the counters table."""

from __future__ import annotations

import re

from spine_util import REPO, run, write_recipe


def test_the_report_page_reads_on_its_own(tmp_path):
    sample = REPO / "samples" / "sample_corpus.jsonl"
    steps = [{"step": "normalize"}, {"step": "pii"}, {"step": "length_filter", "min_chars": 10},
             {"step": "dedup_exact"}]
    report = run(write_recipe(tmp_path, [str(sample)], steps, batch_size=100_000, key={"env": "NO_SUCH_KEY_ENV"}))
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert report["shards"] == 1 and re.search(r"&middot; 1 shard\s+&middot;", html)
    read_row = re.search(r"<tr><td>read</td>(.*?)</tr>", html).group(1)
    assert read_row.endswith("<td>-</td>")  # no speed for the read check
    # the histogram: a count axis up to the largest bin, bins as ranges, counts on hover
    top = max(report["length_histogram"]["before"] + report["length_histogram"]["after"])
    assert ">documents</text>" in html and f">{top:,}</text>" in html
    assert ">3-6</text>" in html or ">63-126</text>" in html
    assert re.search(r"<title>input: [\d,]+ documents of \d+-\d+ characters</title>", html)
    # PII found, by type, as a chart
    pii = next(s for s in report["steps"] if s["step"] == "pii")["counters"]
    most = max(v for k, v in pii.items() if k.startswith("pii_"))
    assert "PII found, by type" in html and f">{most:,}</text>" in html
    assert "<td>no</td></tr>" in html  # the global step's state was computed by this run
    # a global step's speed counts its shuffle too: the shard time alone made a tokenizer 3,661 MB/s
    dedup = next(s for s in report["steps"] if s["step"] == "dedup_exact")
    shuffle = sum(report["global_phases"]["dedup_exact"][k] for k in ("map", "reduce", "route", "finish"))
    cells = re.search(r"<tr><td>dedup_exact</td>(.*?)</tr>", html).group(1)
    global_s, mbps = re.findall(r"<td>([\d,.]+)</td>", cells)[-2:]
    assert global_s == f"{shuffle:,.2f}" and shuffle > 0
    assert mbps == f"{dedup['bytes_in'] / 1e6 / (dedup['seconds'] + shuffle):,.1f}"


def test_a_rerun_reports_the_time_of_every_invocation(tmp_path):
    """Issue 21: rerunning a finished run rewrote the report with "0.009 s, 20.5 MB/s"."""
    sample = REPO / "samples" / "sample_corpus.jsonl"
    recipe = write_recipe(tmp_path, [str(sample)], [{"step": "normalize"}, {"step": "dedup_exact"}], batch_size=100)
    first = run(recipe)
    again = run(recipe)
    assert len(again["invocations"]) == 2 and again["invocations"][0] == first["invocations"][0]
    assert again["seconds"] >= first["seconds"] and again["mb_per_s"] <= first["mb_per_s"]
    assert again["records_kept"] == first["records_kept"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f"(2 invocations: {first['invocations'][0]:,.1f} + " in html
