"""The HSDS 3.0 tabular package: one CSV file per table plus ``datapackage.json``.

Writing: every HSDS file of ``data/hsds3/datapackage.json`` (header only when Brújula holds
nothing for it), HSDS 3.1's ``units.csv`` and ``service_capacities.csv``, and the Mexico-profile
extras in ``mx_<file>`` keyed by ``id``. ``datapackage.json`` lists them all: the HSDS resources
exactly as HSDS defines them, then the extension resources.

Two rules keep spreadsheets safe and the round trip exact:

- **Formula injection.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return is written with a leading apostrophe (OWASP's advice), also when it already starts with
  apostrophes before such a character; reading removes exactly one. A cell read *without* that
  apostrophe which still starts like a formula is rejected, unless it is a phone number or a
  number (``+52 55 1234 5678``, ``-3``).
- **Empty required text.** Table Schema reads an empty cell as "missing", so an HSDS-required
  text whose value is empty (a postal code no source gives) is written as ``unknown`` and read
  back as empty.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from referrals.bundle import Bundle
from referrals.report import Report
from referrals.tabular_schema import (
    FieldSpec,
    Row,
    TableSpec,
    datapackage,
    format_datetime,
    format_number,
    tables,
)

UNKNOWN_TEXT: Final = "unknown"
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_PHONE_OR_NUMBER = re.compile(r"^[+-]?[0-9][0-9 ().-]*$")
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_CELL: Final = 1024 * 1024
TRUE_VALUES: Final = frozenset({"true", "True", "TRUE", "1"})
FALSE_VALUES: Final = frozenset({"false", "False", "FALSE", "0"})


# -- cells -------------------------------------------------------------------------------------


def escape_formula(text: str) -> str:
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unescape_formula(text: str) -> tuple[str, bool]:
    """(the text, whether it is an unescaped formula-like cell)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:], False
    if text.startswith(FORMULA_START) and not _PHONE_OR_NUMBER.match(text):
        return text, True
    return text, False


def cell(spec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    kind = spec.type
    if kind == "boolean":
        return "true" if value else "false"
    if kind in {"number", "integer"}:
        return str(format_number(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "datetime":
        return format_datetime(value) if isinstance(value, datetime) else str(value)
    if kind == "list":
        return ",".join(value)
    if kind == "object":
        return escape_formula(json.dumps(value, ensure_ascii=False, sort_keys=True)) if value else ""
    text = str(value)
    if text == "" and spec.required:
        return UNKNOWN_TEXT
    return escape_formula(text)


def parse_cell(spec: FieldSpec, text: str) -> Any:
    """A CSV cell as the value JSON would carry (then checked like JSON). Raises ValueError."""
    if text == "":
        return [] if spec.type == "list" else None
    kind = spec.type
    if kind in {"number", "integer"}:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{text[:40]!r} is not a number")
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if kind == "boolean":
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValueError(f"{text[:40]!r} is not true or false")
    if kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "object":
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise ValueError("is not a JSON object") from None
        return value
    if kind == "string" and spec.required and text == UNKNOWN_TEXT:
        return ""
    return text


# -- writing -----------------------------------------------------------------------------------


def write(rows: dict[str, list[dict[str, Any]]], target: Path) -> list[Path]:
    """Write the package into the directory ``target`` (or a ``.zip``); returns the files."""
    files = render(rows)
    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = target / name
        path.write_text(content, encoding="utf-8", newline="")
        written.append(path)
    return written


def render(rows: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """File name → content."""
    out: dict[str, str] = {}
    hsds_names = {r["name"] for r in datapackage()["resources"]}
    for name, spec in tables().items():
        table_rows = sorted(rows.get(name, []), key=lambda r: str(r.get("id")))
        out[spec.path] = _csv(spec.fields, table_rows)
        if spec.extras:
            out[spec.extra_path] = _csv((spec.fields[0], *spec.extras), table_rows)
    out["datapackage.json"] = json.dumps(package_descriptor(hsds_names), ensure_ascii=False, indent=2) + "\n"
    return out


def _csv(fields: Iterable[FieldSpec], rows: list[dict[str, Any]]) -> str:
    specs = list(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.name for f in specs])
    for row in rows:
        writer.writerow([cell(f, row.get(f.name)) for f in specs])
    return buffer.getvalue()


def package_descriptor(hsds_names: set[str] | None = None) -> dict[str, Any]:
    """HSDS's datapackage.json with the extension resources appended."""
    base = datapackage()
    hsds_names = hsds_names or {r["name"] for r in base["resources"]}
    resources = list(base["resources"])
    for name, spec in tables().items():
        if name not in hsds_names:
            resources.append(_resource(name, spec.path, spec.fields, "HSDS 3.1 table (not in HSDS 3.0)"))
        if spec.extras:
            resources.append(
                _resource(
                    f"mx_{name}",
                    spec.extra_path,
                    (spec.fields[0], *spec.extras),
                    f"Brújula Mexico-profile fields of {name} (keyed by {name} id)",
                    references=name,
                )
            )
    return {
        **{k: v for k, v in base.items() if k != "resources"},
        "name": "brujula-registry",
        "title": "Brújula service registry (HSDS 3.0 tabular package with the Mexico profile)",
        "resources": resources,
    }


def _resource(
    name: str, path: str, fields: Iterable[FieldSpec], description: str, references: str | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "primaryKey": "id",
        "fields": [_field_descriptor(f) for f in fields],
    }
    if references:
        schema["foreignKeys"] = [{"fields": "id", "reference": {"resource": references, "fields": "id"}}]
    return {
        "name": name,
        "path": path,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "profile": "tabular-data-resource",
        "schema": schema,
    }


def _field_descriptor(spec: FieldSpec) -> dict[str, Any]:
    kind = {"list": "string", "object": "string"}.get(spec.type, spec.type)
    out: dict[str, Any] = {"name": spec.name, "type": kind}
    if spec.format:
        out["format"] = spec.format
    constraints: dict[str, Any] = {}
    if spec.required:
        constraints["required"] = True
    if spec.unique:
        constraints["unique"] = True
    if spec.enum and spec.type != "list":
        constraints["enum"] = list(spec.enum)
    if constraints:
        out["constraints"] = constraints
    if spec.type == "list":
        out["description"] = "Comma-separated codes: " + ", ".join(spec.enum or ())
    if spec.type == "object":
        out["description"] = "A JSON object"
    return out


# -- reading -----------------------------------------------------------------------------------


class _Source:
    """The files of a package: a directory or a .zip archive."""

    def __init__(self, path: Path, report: Report) -> None:
        self.path = path
        self.report = report
        self._zip: zipfile.ZipFile | None = None
        if path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                report.add(path.name, 0, "", "not a CSV package: expected a directory or a .zip archive")

    def read(self, name: str) -> bytes | None:
        if self._zip is not None:
            try:
                info = self._zip.getinfo(name)
            except KeyError:
                return None
            if info.file_size > MAX_FILE_BYTES:
                self.report.add(name, 0, "", f"file too large (over {MAX_FILE_BYTES // 1024 // 1024} MB)")
                return None
            return self._zip.read(info)
        path = self.path / name
        if not path.is_file():
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            self.report.add(name, 0, "", f"file too large (over {MAX_FILE_BYTES // 1024 // 1024} MB)")
            return None
        return path.read_bytes()

    @property
    def usable(self) -> bool:
        return self._zip is not None or self.path.is_dir()


def read(path: Path, report: Report) -> Bundle:
    """The bundle in the package at ``path``; problems go to ``report``."""
    bundle = Bundle()
    source = _Source(path, report)
    if not source.usable:
        if report.ok:
            report.add(path.name, 0, "", "not a CSV package: expected a directory or a .zip archive")
        return bundle
    found_any = False
    for name, spec in tables().items():
        data = source.read(spec.path)
        if data is None:
            continue
        found_any = True
        rows = _read_table(spec, spec.fields, spec.path, data, report)
        if not spec.stored:
            if rows:
                report.add(
                    spec.path,
                    0,
                    "",
                    f"{name} is not stored by Brújula; {len(rows)} rows ignored",
                    level="warning",
                )
            continue
        by_id: dict[str, Row] = {}
        for row in rows:
            bundle.add(row)
            if row.id:
                by_id.setdefault(row.id, row)
        if spec.extras:
            extra = source.read(spec.extra_path)
            if extra is not None:
                for row in _read_table(spec, (spec.fields[0], *spec.extras), spec.extra_path, extra, report):
                    target = by_id.get(row.id or "")
                    if target is None:
                        report.add(
                            spec.extra_path, row.row, "id", f"no {name} with id {row.id} in {spec.path}"
                        )
                        continue
                    for key, value in row.values.items():
                        if key != "id":
                            target.values[key] = value
    if not found_any and report.ok:
        report.add(path.name, 0, "", "no HSDS CSV file found (organizations.csv, services.csv, …)")
    return bundle


def _read_table(
    spec: TableSpec, fields: tuple[FieldSpec, ...], file: str, data: bytes, report: Report
) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add(file, 0, "", f"not UTF-8 text (byte {exc.start})")
        return []
    if "\x00" in text:
        report.add(file, 0, "", "contains NUL bytes: not a CSV text file")
        return []
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    by_name = {f.name: f for f in fields}
    try:
        header = next(reader, None)
        if header is None:
            return []
        header = [h.strip() for h in header]
        duplicates = {h for h in header if header.count(h) > 1}
        for name in sorted(duplicates):
            report.add(file, 1, name, "column appears more than once")
        for name in header:
            if name not in by_name:
                report.add(file, 1, name, f"unknown column of {spec.name}; ignored", level="warning")
        for fspec in fields:
            if fspec.required and fspec.name not in header:
                report.add(file, 1, fspec.name, "required column is missing")
        if duplicates:
            return []
        for record in reader:
            line = reader.line_num
            if report.omitted:
                break
            if not record or all(not c for c in record):
                continue
            if len(record) != len(header):
                report.add(file, line, "", f"has {len(record)} cells; the header has {len(header)}")
                continue
            values: dict[str, Any] = {}
            for name, text_value in zip(header, record, strict=True):
                found = by_name.get(name)
                if found is None:
                    continue
                fspec = found
                if fspec.type in {"string", "object"}:
                    text_value, formula = unescape_formula(text_value)
                    if formula:
                        report.add(
                            file,
                            line,
                            name,
                            "starts like a spreadsheet formula (=, +, -, @); if it is text, "
                            "start it with an apostrophe",
                        )
                        continue
                try:
                    values[name] = parse_cell(fspec, text_value)
                except ValueError as exc:
                    report.add(file, line, name, str(exc))
            rows.append(Row(spec.name, values, file, line))
    except csv.Error as exc:
        report.add(file, reader.line_num, "", f"not a readable CSV file: {exc}")
        return []
    return rows
