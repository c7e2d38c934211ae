"""Open a page in headless Chromium and ask it where things were drawn.

The report is one static page; what can go wrong is layout: a label drawn outside its chart
(clipped), a table wider than the page. The probe script below runs in the browser after load
and writes what it found into the page, which Chromium prints with --dump-dom.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

# The flags a closed network needs: without the background-networking ones Chromium keeps
# trying to reach Google's hosts.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]

PROBE = """<script>
window.addEventListener("load", () => {
  const problems = [];
  const heading = el => {
    let h = el.previousElementSibling;
    while (h && h.tagName !== "H2") h = h.previousElementSibling;
    return h ? h.textContent : "?";
  };
  document.querySelectorAll("svg").forEach(svg => {
    const box = svg.getBoundingClientRect();
    svg.querySelectorAll("text, rect, line").forEach(el => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      const out = r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                  || r.bottom > box.bottom + 0.5;
      if (out)
        problems.push(heading(svg) + ": " + el.tagName + " '" + el.textContent.slice(0, 40) + "' outside its chart");
    });
  });
  const page = document.body.getBoundingClientRect();
  document.querySelectorAll("table").forEach(t => {
    const r = t.getBoundingClientRect();
    if (r.right > page.right + 0.5)
      problems.push(heading(t) + ": table wider than the page by " + Math.round(r.right - page.right) + " px");
  });
  const out = document.createElement("pre"); out.id = "layout-problems";
  out.textContent = JSON.stringify(problems); document.body.appendChild(out);
});
</script>"""


def chromium() -> str | None:
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def layout_problems(page: Path, work: Path, width: int = 1280) -> list[str]:
    """Every chart element drawn outside its chart and every table wider than the page."""
    probed = work / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={work / 'chromium-profile'}",
                          f"--window-size={width},1000", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'<pre id="layout-problems">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run: " + dom[-500:]
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def screenshot(page: Path, png: Path, work: Path, width: int = 1280, height: int = 5000) -> None:
    """The page as a PNG, for a person to look at (docs/extending.md, "The report page")."""
    subprocess.run([chromium(), *FLAGS, f"--user-data-dir={work / 'chromium-profile'}",
                    f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)


if __name__ == "__main__":  # python tests/browser_util.py REPORT.html OUT.png
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        screenshot(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), Path(work))
    print(sys.argv[2])
