"""The benchmark's report only touches the "## Registry" section of PERFORMANCE.md."""

from __future__ import annotations

from pathlib import Path

from referrals.bench import Result, markdown, write_section


def test_only_the_registry_section_is_replaced(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(
        "# Performance\n\n## NLU\n\nkeep me\n\n## Registry\n\nold\n\n## Web\n\nkeep too\n", encoding="utf-8"
    )
    section = markdown([Result("sqlite", 1000, 1.0, 10, 1.0, 2.0, 3.0)], 10)
    write_section(section, doc)
    text = doc.read_text(encoding="utf-8")
    assert "keep me" in text and "keep too" in text and "old" not in text
    assert "| sqlite | 1,000 | 1.0 | 1.00 | 2.00 | 3.00 | yes |" in text
    write_section(section, tmp_path / "NEW.md")
    assert "## Registry" in (tmp_path / "NEW.md").read_text(encoding="utf-8")
