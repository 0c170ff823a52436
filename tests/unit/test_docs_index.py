"""docs/README.md is the index of the guides: it links every guide and runbook, and its links
resolve (a renamed guide fails here, not in a reader's browser)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "docs" / "README.md"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def linked(index: Path = INDEX) -> set[Path]:
    return {(index.parent / target).resolve() for target in LINK.findall(index.read_text(encoding="utf-8"))}


def test_every_link_of_the_index_resolves() -> None:
    missing = sorted(str(path.relative_to(ROOT)) for path in linked() if not path.exists())
    assert not missing, f"docs/README.md links files that do not exist: {missing}"


def test_every_guide_and_runbook_is_in_the_index() -> None:
    guides = {*(ROOT / "docs").glob("*.md"), *(ROOT / "runbooks").glob("*.md")} - {INDEX}
    absent = sorted(str(path.relative_to(ROOT)) for path in guides if path.resolve() not in linked())
    assert not absent, f"give these a line in docs/README.md: {absent}"


def test_links_are_read_from_markdown(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    index = tmp_path / "README.md"
    index.write_text("- [a](a.md#top): one\n- [b](b.md)\n", encoding="utf-8")
    assert linked(index) == {(tmp_path / "a.md").resolve(), (tmp_path / "b.md").resolve()}
