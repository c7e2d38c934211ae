"""Issue 21: the README's `run_in_memory` example needed an import it did not mention. Every
Python block of the README and of docs/ runs as written."""

from __future__ import annotations

import re

import pytest
from spine_util import REPO

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SNIPPETS = [(page, i, code) for page in PAGES
            for i, code in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")))]


def test_the_readme_has_python_blocks():
    assert any(page.name == "README.md" for page, _, _ in SNIPPETS)


@pytest.mark.parametrize(("page", "index", "code"), SNIPPETS,
                         ids=[f"{page.name}-{i}" for page, i, _ in SNIPPETS])
def test_every_python_block_runs_as_written(page, index, code):
    namespace: dict = {"__name__": f"snippet_{page.stem}_{index}"}
    exec(compile(code, f"{page.name}[python block {index}]", "exec"), namespace)
    if "run_in_memory(steps, frame)" in code:  # the README's example does what its comment says
        kept, dropped = namespace["kept"], namespace["dropped"]
        assert kept["id"].to_list() == ["a"] and "[전화번호]" in kept["text"][0]
        assert dropped["id"].to_list() == ["b"] and dropped["reason"].to_list() == ["too_short"]
