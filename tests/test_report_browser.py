"""Issue 21: report.html looked at in a real browser. Headless Chromium lays the page out and a
probe reports every chart element drawn outside its chart and every table wider than the page:
the length histogram's top count was cut off at the top of its chart before this test existed.

.ci/run installs Chromium (Debian's package); without it these tests are skipped, with the reason.
"""

from __future__ import annotations

import json

import pytest
from browser_util import chromium, layout_problems, screenshot
from spine_util import REPO, run, write_recipe

pytestmark = pytest.mark.skipif(chromium() is None, reason="no Chromium here (apt-get install chromium)")


def test_the_main_jobs_report_lays_out_inside_the_page(tmp_path):
    """The README's main job on the bundled sample corpus: every chart and table of its report fits."""
    run(REPO / "pipelines" / "pretrain.yaml", workers=2, output=str(tmp_path / "out"))
    page = tmp_path / "out" / "report.html"
    assert layout_problems(page, tmp_path) == []
    png = tmp_path / "report.png"
    screenshot(page, png, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000  # a drawn page, not blank


def test_long_labels_are_cut_to_fit_and_whole_on_hover(tmp_path):
    """Group values (a source URL) and step labels as long as users write them stay inside their charts."""
    source = "https://news.example.co.kr/articles/2026/12/07/economy/" + "very-long-slug-" * 4
    korean = "한국어로_길게_쓴_출처_이름이_차트의_라벨_칸보다_깁니다"
    records = [{"id": str(i), "text": f"문서 {i % 5}번의 본문입니다. 충분히 긴 한국어 문장을 씁니다.",
                "source": source if i % 2 else korean} for i in range(40)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    label = "exact_duplicates_of_whole_documents_after_normalization"
    recipe = write_recipe(tmp_path, [str(src)], [{"step": "normalize"},
                                                 {"step": "dedup_exact", "label": label}],
                          report={"group_by": "source"})
    run(recipe)
    page = tmp_path / "out" / "report.html"
    assert layout_problems(page, tmp_path) == []
    html = page.read_text(encoding="utf-8")
    assert f"<title>{source}</title>" in html and f"<title>{korean}</title>" in html
    assert f"<title>{label}: duplicate_document</title>" in html
