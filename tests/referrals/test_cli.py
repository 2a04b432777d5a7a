"""`brujula registry …` and `brujula db seed` as a coordinator uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.commands.database import db
from bot.commands.registry import registry


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BRUJULA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_seed_export_validate_import_search(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(db, ["seed"])
    assert first.exit_code == 0, first.output
    assert "86 organizations, 127 services" in first.output
    assert runner.invoke(db, ["seed"]).exit_code == 0  # idempotent

    exported = runner.invoke(registry, ["export", "--format", "json"])
    assert exported.exit_code == 0
    organizations = json.loads(exported.stdout)
    assert len(organizations) == 86
    path = tmp_path / "registry.json"
    path.write_text(exported.stdout, encoding="utf-8")

    valid = runner.invoke(registry, ["validate", str(path)])
    assert valid.exit_code == 0 and "0 errors" in valid.output
    assert runner.invoke(registry, ["import", str(path)]).exit_code == 0

    package = tmp_path / "package"
    assert runner.invoke(registry, ["export", "--format", "csv", "--output", str(package)]).exit_code == 0
    assert (package / "services.csv").exists() and (package / "datapackage.json").exists()
    assert runner.invoke(registry, ["validate", str(package)]).exit_code == 0

    search = runner.invoke(
        registry, ["search", "health", "--place", "qro", "--at", "2026-11-24T11:00:00-06:00"]
    )
    assert search.exit_code == 0, search.output
    assert "scope: state" in search.output
    assert "1. Servicios estatales de salud" in search.output
    assert "why: in_state place=Querétaro" in search.output


def test_a_bad_file_exits_non_zero_with_the_report(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x", "name": 3}]', encoding="utf-8")
    result = runner.invoke(registry, ["import", str(bad)])
    assert result.exit_code == 1
    assert "error: bad.json, row 1, id:" in result.output
    assert "the database is unchanged" in result.output
