"""HSDS JSON and CSV: export validates, export → import round-trips, the seed imports cleanly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.db import create_all, make_engine
from referrals import hsds_csv, hsds_json, store, transfer
from referrals.report import Report
from referrals.tabular_schema import DATAPACKAGE
from tests.referrals.conftest import BACKENDS

SEED = transfer.SEED


def _validator() -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((DATAPACKAGE.parent / "organization.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _registry_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    return {name: rows for name, rows in store.load(engine).items() if rows}


def test_the_seed_validates_without_a_single_problem() -> None:
    _bundle, report = transfer.validate(SEED)
    assert report.problems == []
    assert report.counts["organization"] == 86 and report.counts["service"] == 127


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_seeding_twice_changes_nothing(seeded: Engine) -> None:
    before = _registry_rows(seeded)
    again = transfer.seed(seeded)
    assert again.applied
    assert _registry_rows(seeded) == before
    assert store.counts(seeded)["service"] == 127


def test_nothing_is_added_to_the_seed(seeded: Engine) -> None:
    """Every phone, address and schedule stored is one the seed file states."""
    text = SEED.read_text(encoding="utf-8")
    rows = store.load(seeded)
    for phone in rows["phone"]:
        assert json.dumps(phone["number"], ensure_ascii=False) in text
    for address in rows["address"]:
        assert json.dumps(address["address_1"], ensure_ascii=False) in text
    assert all(s["verification_status"] == "unverified" and s["record_source"] for s in rows["service"])


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_json_export_validates_and_round_trips_without_loss(seeded: Engine, tmp_path: Path) -> None:
    exported = transfer.export_json(seeded)
    validator = _validator()
    for organization in exported:
        assert list(validator.iter_errors(organization)) == []
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    create_all(other)
    report = transfer.import_path(other, path)
    assert report.applied and report.problems == []
    assert _registry_rows(other) == _registry_rows(seeded)
    assert transfer.export_json(other) == exported
    other.dispose()


def test_json_export_keeps_what_the_seed_says(seeded: Engine) -> None:
    """Same organizations, services, locations and values as the seed file (order aside)."""

    def flat(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: flat(v) for k, v in node.items() if v not in (None, [], {})}
        if isinstance(node, list):
            return sorted((flat(v) for v in node), key=lambda v: json.dumps(v, sort_keys=True))
        return node

    exported = {o["id"]: o for o in transfer.export_json(seeded)}
    seed = {o["id"]: o for o in json.loads(SEED.read_text(encoding="utf-8"))}
    assert exported.keys() == seed.keys()
    for key, original in seed.items():
        mine = exported[key]
        # The export adds what the seed left implicit: the term's taxonomy and the unit's id.
        for service in mine.get("services", []):
            for attribute in service.get("attributes", []):
                attribute["taxonomy_term"].pop("taxonomy_detail", None)
            for capacity in service.get("capacities", []):
                capacity.pop("unit_id", None)
        assert flat(mine) == flat(original), key


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_csv_export_validates_against_the_hsds_datapackage_and_round_trips(
    seeded: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "package"
    transfer.export_csv(seeded, out)
    descriptor = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    problems = validate_tabular(out, descriptor)
    assert problems == []
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    create_all(other)
    report = transfer.import_path(other, out)
    assert report.applied and report.problems == [], report.lines()
    assert _registry_rows(other) == _registry_rows(seeded)
    again = tmp_path / "again.zip"
    transfer.export_csv(other, again)
    report = transfer.import_path(other, again)
    assert report.applied and _registry_rows(other) == _registry_rows(seeded)
    other.dispose()


def test_csv_cells_that_start_like_formulas_are_neutralised_and_read_back(tmp_path: Path) -> None:
    for text in ['=HYPERLINK("http://x")', "+52 55 1234 5678", "-sum", "@cmd", "'=already", "plain", "\tx"]:
        written = hsds_csv.escape_formula(text)
        assert not written.startswith(hsds_csv.FORMULA_START)
        assert hsds_csv.unescape_formula(written) == (text, False)


def validate_tabular(folder: Path, descriptor: dict[str, Any]) -> list[str]:
    """An independent Table Schema check of the HSDS resources: header, required, types,
    formats, enums, unique and primary keys, foreign keys (what frictionless checks)."""
    import re
    import uuid
    from datetime import date, datetime, time

    problems: list[str] = []
    tables: dict[str, list[dict[str, str]]] = {}
    for resource in descriptor["resources"]:
        path = folder / resource["path"]
        if not path.exists():
            problems.append(f"{resource['path']}: missing")
            continue
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
        fields = resource["schema"]["fields"]
        if reader.fieldnames != [f["name"] for f in fields]:
            problems.append(f"{resource['path']}: header {reader.fieldnames}")
            continue
        rows = list(reader)
        tables[resource["name"]] = rows
        for line, row in enumerate(rows, start=2):
            for field in fields:
                value, name = row[field["name"]], field["name"]
                constraints = field.get("constraints", {})
                if value == "":
                    if constraints.get("required"):
                        problems.append(f"{resource['path']}:{line}:{name}: required")
                    continue
                kind = field["type"]
                try:
                    if kind == "number":
                        float(value)
                    elif kind == "date":
                        date.fromisoformat(value)
                    elif kind == "datetime":
                        datetime.fromisoformat(value.replace("Z", "+00:00"))
                    elif kind == "time":
                        time.fromisoformat(value)
                    elif field.get("format") == "uuid":
                        uuid.UUID(value)
                    elif field.get("format") == "email":
                        assert re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value)
                    elif field.get("format") == "uri":
                        assert re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value)
                except (ValueError, AssertionError):
                    problems.append(
                        f"{resource['path']}:{line}:{name}: not a {kind} {field.get('format', '')}"
                    )
                if "enum" in constraints and value not in constraints["enum"]:
                    problems.append(f"{resource['path']}:{line}:{name}: not in enum")
            for field in fields:
                if field.get("constraints", {}).get("unique"):
                    values = [r[field["name"]] for r in rows if r[field["name"]]]
                    if len(values) != len(set(values)):
                        problems.append(f"{resource['path']}:{field['name']}: not unique")
    for resource in descriptor["resources"]:
        for fk in resource["schema"].get("foreignKeys", []):
            target = {r["id"] for r in tables.get(fk["reference"]["resource"], [])}
            for line, row in enumerate(tables.get(resource["name"], []), start=2):
                value = row.get(fk["fields"], "")
                if value and value not in target:
                    problems.append(f"{resource['path']}:{line}:{fk['fields']}: dangling reference")
    return sorted(set(problems))


def test_datapackage_check_finds_problems(tmp_path: Path) -> None:
    """The check above can fail: a broken file is caught."""
    descriptor = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    rows = {"organization": [{"id": "not-a-uuid", "name": "", "description": "x"}]}
    hsds_csv.write(rows, tmp_path)  # type: ignore[arg-type]
    problems = validate_tabular(tmp_path, descriptor)
    assert any(p.startswith("organizations.csv:2:id") for p in problems)


def test_report_positions_for_json(tmp_path: Path) -> None:
    report = Report()
    hsds_json.read(b'[{"id": 5}]', "x.json", report)
    assert any(p.row == 1 and p.field == "id" for p in report.errors)
