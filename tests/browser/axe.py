"""axe-core (the npm package pinned in tests/browser/package-lock.json) run inside a page.

``axe_source`` installs it with ``npm ci`` when tests/browser/node_modules is missing, so a
fresh clone or CI needs nothing but npm; without npm the tests skip (or fail in CI) with the
reason. ``axe_violations`` injects it into the page as shown and returns the WCAG 2.1 A/AA
violations in a readable form.
"""
from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

from playwright.sync_api import Page

from tests.conftest import skip_or_fail

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at `
    + v.nodes.slice(0, 5).map((node) => node.target.join(" ")).join(", "));
}"""


def install_axe() -> str:
    """The text of axe.min.js, running ``npm ci`` in tests/browser first when it is missing."""
    # pytest-xdist workers may all get here at once: one installs, the others wait for it.
    with open(HERE / ".npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE.exists():
            npm = shutil.which("npm")
            if npm is None:
                skip_or_fail("axe-core is not installed and npm is missing: install Node.js/npm, "
                             "then run `npm ci` in tests/browser")
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                                  text=True, timeout=600, check=False)
            if done.returncode != 0 or not AXE.exists():
                skip_or_fail(f"`npm ci` in tests/browser failed: {done.stderr.strip()[-500:]}")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, axe_source: str) -> list[str]:
    """WCAG 2.1 A and AA violations axe-core finds on the page as currently shown."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)  # the test contexts bypass any CSP for this
    return page.evaluate(RUN_AXE, WCAG_21_AA)
