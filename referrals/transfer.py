"""Import, validate and export the registry: what ``brujula registry …`` and ``db seed`` call.

Formats: HSDS 3.0 JSON (a ``.json`` file: a list of organizations) and the HSDS CSV tabular
package (a directory or a ``.zip``). An import reads and checks the whole file first; with any
error it writes nothing and the report says where (file, row, field). Otherwise it writes
everything in one transaction (``referrals.store``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, select

from referrals import hsds_csv, hsds_json, store
from referrals.bundle import Bundle, check
from referrals.places import Gazetteer
from referrals.report import Report
from referrals.tables import HSDS_MODELS
from referrals.tabular_schema import Row
from referrals.taxonomy import load_taxonomy

MAX_JSON_BYTES: Final = 50 * 1024 * 1024
SEED: Final = Path(__file__).resolve().parent / "data" / "seed" / "registry.json"


def detect_format(path: Path) -> str:
    if path.is_dir() or path.suffix.lower() == ".zip":
        return "csv"
    return "json"


def read_path(path: Path, report: Report) -> Bundle:
    if detect_format(path) == "csv":
        return hsds_csv.read(path, report)
    if not path.is_file():
        report.add(path.name, 0, "", "no such file")
        return Bundle()
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        report.add(
            path.name,
            0,
            "",
            f"file too large ({size // 1024 // 1024} MB; at most {MAX_JSON_BYTES // 1024 // 1024} MB)",
        )
        return Bundle()
    return hsds_json.read(path.read_bytes(), path.name, report)


def _with_taxonomy(bundle: Bundle, engine: Engine | None) -> None:
    """Add Brújula's taxonomy rows the registry lacks and the file does not bring."""
    rows = load_taxonomy().rows()
    present: set[str] = set()
    if engine is not None:
        with engine.connect() as conn:
            for name in ("taxonomy", "taxonomy_term"):
                table = HSDS_MODELS[name].__table__  # type: ignore[attr-defined]
                ids = [r["id"] for r in rows[name]]
                present.update(conn.execute(select(table.c.id).where(table.c.id.in_(ids))).scalars())
    for name in ("taxonomy", "taxonomy_term"):
        mine = bundle.ids(name)
        for values in rows[name]:
            if values["id"] not in mine and values["id"] not in present:
                bundle.add(Row(name, dict(values), "taxonomy.yml", 0))


def validate(path: Path, engine: Engine | None = None) -> tuple[Bundle, Report]:
    """Read and check ``path`` (references may point at records already in ``engine``)."""
    report = Report()
    bundle = read_path(path, report)
    if bundle.counts() and not report.omitted:  # report every problem at once, not the first kind
        _with_taxonomy(bundle, engine)
        if engine is not None:
            with engine.connect() as conn:
                check(bundle, report, store.known_ids(conn))
        else:
            check(bundle, report)
    report.counts.update(bundle.counts())
    return bundle, report


def import_path(
    engine: Engine, path: Path, *, replace: bool = False, gazetteer: Gazetteer | None = None
) -> Report:
    """Validate, then write in one transaction. ``report.applied`` says whether it was written."""
    bundle, report = validate(path, engine)
    if not report.ok:
        return report
    try:
        store.save(engine, bundle, report, replace=replace, gazetteer=gazetteer)
    except store.ImportFailed:
        report.applied = False
    return report


def seed(engine: Engine, *, gazetteer: Gazetteer | None = None) -> Report:
    """Load Brújula's taxonomy and the bundled seed registry (idempotent)."""
    store.ensure_taxonomy(engine)
    return import_path(engine, SEED, gazetteer=gazetteer)


def export_json(engine: Engine) -> list[dict[str, Any]]:
    return hsds_json.write(store.load(engine))


def export_json_text(engine: Engine) -> str:
    return json.dumps(export_json(engine), ensure_ascii=False, indent=2) + "\n"


def export_csv(engine: Engine, target: Path) -> list[Path]:
    return hsds_csv.write(store.load(engine), target)
