"""A registry as flat rows per HSDS table (what the JSON and CSV formats both turn into), and
the checks every import goes through before anything is written.

Checks: each value fits its field (type, format, enum); required fields are there; ids are
unique; every reference points at a record in the file or already in the registry; rows that
must hang off something (a phone, a schedule…) do; coordinates are in range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from referrals.report import Report
from referrals.tabular_schema import Row, TableSpec, ValueProblem, check_value, stored_tables

#: Tables whose rows must belong to at least one of these parents.
PARENTS: dict[str, tuple[str, ...]] = {
    "phone": ("service_at_location_id", "service_id", "location_id", "contact_id", "organization_id"),
    "contact": ("service_at_location_id", "service_id", "location_id", "organization_id"),
    "schedule": ("service_at_location_id", "service_id", "location_id"),
    "language": ("phone_id", "service_id", "location_id"),
    "funding": ("service_id", "organization_id"),
    "address": ("location_id",),
    "accessibility": ("location_id",),
    "service_area": ("service_id",),
    "required_document": ("service_id",),
}

#: Tables shared by all organizations (not part of any organization's records).
SHARED_TABLES = ("taxonomy", "taxonomy_term", "unit")

#: Which table an attribute's ``link_entity`` may name.
LINKABLE = frozenset(
    {
        "organization", "service", "location", "service_at_location", "phone", "contact", "address",
        "schedule", "funding", "service_area", "required_document", "language", "accessibility",
        "cost_option", "program", "organization_identifier",
    }
)  # fmt: skip

#: ``known(table, ids)`` → the subset of ``ids`` that already exist in the registry.
KnownIds = Callable[[str, set[str]], set[str]]


def _nothing_known(_table: str, _ids: set[str]) -> set[str]:
    return set()


@dataclass(slots=True)
class Bundle:
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, row: Row) -> None:
        self.rows[row.table].append(row)

    def table(self, name: str) -> list[Row]:
        return self.rows.get(name, [])

    def __iter__(self) -> Iterator[Row]:
        for name in stored_tables():
            yield from self.rows.get(name, [])

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items() if rows}

    def ids(self, table: str) -> set[str]:
        return {row.id for row in self.table(table) if row.id}

    def organization_ids(self) -> set[str]:
        return self.ids("organization")


def check(bundle: Bundle, report: Report, known: KnownIds = _nothing_known) -> None:
    """Convert every value to its type and check the bundle; problems go to ``report``."""
    specs = stored_tables()
    for name, rows in bundle.rows.items():
        spec = specs.get(name)
        if spec is None:
            continue
        for row in rows:
            _check_row(spec, row, report)
        _check_unique(spec, rows, report)
    _check_references(bundle, specs, report, known)
    _check_attribute_links(bundle, report, known)


def _where(row: Row, name: str) -> str:
    return f"{row.pointer}/{name}" if row.pointer else name


def _check_row(spec: TableSpec, row: Row, report: Report) -> None:
    for fspec in spec.all_fields:
        value = row.values.get(fspec.name)
        try:
            value = check_value(fspec, value)
        except ValueProblem as exc:
            report.add(row.file, row.row, _where(row, fspec.name), str(exc))
            row.values[fspec.name] = None
            continue
        if fspec.type == "list" and value is None:
            value = []
        row.values[fspec.name] = value
        if fspec.required and value is None:
            report.add(row.file, row.row, _where(row, fspec.name), f"{spec.name}.{fspec.name} is required")
    values = row.values
    if spec.name == "location":
        lat, lon = values.get("latitude"), values.get("longitude")
        if (lat is None) != (lon is None):
            report.add(row.file, row.row, _where(row, "latitude"), "latitude and longitude go together")
        if lat is not None and not -90 <= lat <= 90:
            report.add(row.file, row.row, _where(row, "latitude"), "latitude must be between -90 and 90")
        if lon is not None and not -180 <= lon <= 180:
            report.add(row.file, row.row, _where(row, "longitude"), "longitude must be between -180 and 180")
    parents = PARENTS.get(spec.name)
    if parents and not any(values.get(p) for p in parents):
        report.add(
            row.file,
            row.row,
            _where(row, parents[0]),
            f"a {spec.name} must belong to a {' or '.join(p.removesuffix('_id') for p in parents)}",
        )


def _check_unique(spec: TableSpec, rows: list[Row], report: Report) -> None:
    for fspec in spec.all_fields:
        if not fspec.unique:
            continue
        first: dict[Any, Row] = {}
        for row in rows:
            value = row.values.get(fspec.name)
            if value is None:
                continue
            if value in first:
                seen = first[value]
                report.add(
                    row.file,
                    row.row,
                    _where(row, fspec.name),
                    f"duplicate {spec.name} {fspec.name} {value} (first at {seen.file} row {seen.row}"
                    + (f", {seen.pointer}" if seen.pointer else "")
                    + ")",
                )
            else:
                first[value] = row


def _check_references(bundle: Bundle, specs: dict[str, TableSpec], report: Report, known: KnownIds) -> None:
    wanted: dict[str, set[str]] = defaultdict(set)
    refs: list[tuple[Row, str, str, str]] = []
    ids_of: dict[str, set[str]] = {}
    for name, rows in bundle.rows.items():
        spec = specs.get(name)
        if spec is None:
            continue
        for field_name, target in spec.foreign_keys:
            if target not in specs:
                continue
            local = ids_of.setdefault(target, bundle.ids(target))
            for row in rows:
                value = row.values.get(field_name)
                if isinstance(value, str) and value not in local:
                    wanted[target].add(value)
                    refs.append((row, field_name, target, value))
    found = {target: known(target, ids) for target, ids in wanted.items()}
    for row, field_name, target, value in refs:
        if value not in found[target]:
            report.add(
                row.file,
                row.row,
                _where(row, field_name),
                f"refers to {target} {value}, which is neither in the file nor in the registry",
            )


def _check_attribute_links(bundle: Bundle, report: Report, known: KnownIds) -> None:
    pending: dict[str, set[str]] = defaultdict(set)
    rows: list[Row] = []
    local: dict[str, set[str]] = {}
    for row in bundle.table("attribute"):
        entity, link = row.values.get("link_entity"), row.values.get("link_id")
        if not isinstance(entity, str) or not isinstance(link, str):
            continue
        if entity not in LINKABLE:
            report.add(row.file, row.row, _where(row, "link_entity"), f"unknown link_entity {entity!r}")
            continue
        if entity not in local:
            local[entity] = bundle.ids(entity)
        if link not in local[entity]:
            pending[entity].add(link)
            rows.append(row)
    found = {entity: known(entity, ids) for entity, ids in pending.items()}
    for row in rows:
        entity, link = row.values["link_entity"], row.values["link_id"]
        if link not in found[entity]:
            report.add(
                row.file,
                row.row,
                _where(row, "link_id"),
                f"links to {entity} {link}, which is neither in the file nor in the registry",
            )


def iter_values(rows: Iterable[Row]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row.values
