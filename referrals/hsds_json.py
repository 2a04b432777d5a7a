"""HSDS 3.0 JSON: a list of ``organization`` objects with their records nested inside.

Reading validates each organization against HSDS's compiled JSON Schema
(``data/hsds3/organization.schema.json``, draft 2020-12, with format checks), then flattens it
into a :class:`~referrals.bundle.Bundle`. Writing nests the rows back the same way, so an
export imports again without loss. The Mexico-profile extras are extra properties (HSDS allows
them); see ``referrals.profile``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Final

from referrals.bundle import Bundle
from referrals.report import Report
from referrals.tabular_schema import HSDS_DIR, Row, TableSpec, stored_tables, to_json_value

SCHEMA_PATH: Final = HSDS_DIR / "organization.schema.json"

#: JSON property → child table, per table. Children get their parent's id in ``<parent>_id``.
NESTED: Final[dict[str, dict[str, str]]] = {
    "organization": {
        "locations": "location",
        "services": "service",
        "phones": "phone",
        "contacts": "contact",
        "programs": "program",
        "funding": "funding",
        "organization_identifiers": "organization_identifier",
        "attributes": "attribute",
    },
    "service": {
        "service_at_locations": "service_at_location",
        "phones": "phone",
        "schedules": "schedule",
        "service_areas": "service_area",
        "languages": "language",
        "contacts": "contact",
        "funding": "funding",
        "cost_options": "cost_option",
        "required_documents": "required_document",
        "capacities": "service_capacity",
        "attributes": "attribute",
    },
    "location": {
        "addresses": "address",
        "phones": "phone",
        "schedules": "schedule",
        "languages": "language",
        "contacts": "contact",
        "accessibility": "accessibility",
        "attributes": "attribute",
    },
    "service_at_location": {
        "phones": "phone",
        "schedules": "schedule",
        "contacts": "contact",
        "attributes": "attribute",
    },
    "phone": {"languages": "language", "attributes": "attribute"},
    "contact": {"phones": "phone", "attributes": "attribute"},
}

#: Embedded single objects: (table, the field that refers to it). Shared ones are deduplicated.
EMBEDDED: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
    "service_capacity": {"unit": ("unit", "unit_id")},
    "service_at_location": {"location": ("location", "location_id")},
}

#: Back-references HSDS lets an object carry (the parent repeated); read and dropped.
IGNORED: Final[dict[str, frozenset[str]]] = {
    "service": frozenset({"organization", "program"}),
    "service_at_location": frozenset({"service"}),
}

#: The order a child of several possible parents is nested under, when exporting.
EXPORT_PARENT: Final[dict[str, tuple[str, ...]]] = {
    "phone": ("service_at_location_id", "service_id", "location_id", "contact_id", "organization_id"),
    "contact": ("service_at_location_id", "service_id", "location_id", "organization_id"),
    "schedule": ("service_at_location_id", "service_id", "location_id"),
    "language": ("phone_id", "service_id", "location_id"),
    "funding": ("service_id", "organization_id"),
}

#: Profile fields always written (``null`` when unknown), as in the seed.
ALWAYS: Final = frozenset({"record_source", "verification_status", "last_verified_at", "verified_by"})


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


# -- reading -----------------------------------------------------------------------------------


def read(data: bytes, file: str, report: Report) -> Bundle:
    """The bundle in ``data``; problems (with file, row, field) go to ``report``."""
    bundle = Bundle()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add(file, 0, "", f"not UTF-8 text (byte {exc.start}); an HSDS JSON file is UTF-8")
        return bundle
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add(file, 0, "", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        return bundle
    except RecursionError:
        report.add(file, 0, "", "not valid JSON: nested too deeply")
        return bundle
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        document = document["contents"]  # an HSDS API page
    elif isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        report.add(file, 0, "", "expected a list of HSDS organization objects")
        return bundle
    validator = _validator()
    for index, item in enumerate(document, start=1):
        if report.omitted:
            break
        if not isinstance(item, dict):
            report.add(file, index, "", "expected an HSDS organization object")
            continue
        errors = False
        for error in validator.iter_errors(item):
            errors = True
            path = "/".join(str(p) for p in error.absolute_path)
            report.add(file, index, path, _schema_message(error))
            if report.omitted:
                break
        if not errors:
            _flatten(bundle, report, "organization", item, file, index, "", None, None)
    return bundle


def _schema_message(error: Any) -> str:
    message = str(error.message)
    if len(message) > 300:
        message = message[:297] + "…"
    return f"HSDS schema: {message}"


def _flatten(
    bundle: Bundle,
    report: Report,
    table: str,
    obj: dict[str, Any],
    file: str,
    index: int,
    pointer: str,
    parent_table: str | None,
    parent_id: str | None,
) -> None:
    spec = stored_tables()[table]
    values: dict[str, Any] = {}
    children = NESTED.get(table, {})
    embedded = EMBEDDED.get(table, {})
    ignored = IGNORED.get(table, frozenset())
    known = {f.name for f in spec.all_fields}
    for key, value in obj.items():
        where = f"{pointer}/{key}" if pointer else key
        if key in known:
            values[key] = value
        elif key in children or key in embedded or key in ignored:
            continue
        elif key == "metadata":
            if value:
                report.add(file, index, where, "metadata (change history) is not stored", level="warning")
        else:
            report.add(file, index, where, f"unknown property of {table}; not stored", level="warning")
    if parent_table is not None and parent_id is not None:
        link = "link_id" if table == "attribute" else f"{parent_table}_id"
        if table == "attribute":
            if values.get("link_entity") not in (None, parent_table):
                report.add(file, index, f"{pointer}/link_entity", f"must be {parent_table!r} here")
            values.setdefault("link_entity", parent_table)
        if link in known:
            given = values.get(link)
            if given is not None and given != parent_id:
                report.add(
                    file,
                    index,
                    f"{pointer}/{link}",
                    f"is {given} but the object is inside {parent_table} {parent_id}",
                )
            values[link] = parent_id
    own_id = values.get("id")
    for key, (target, ref_field) in embedded.items():
        inner = obj.get(key)
        if not isinstance(inner, dict):
            continue
        inner_id = inner.get("id")
        given = values.get(ref_field)
        if given is not None and inner_id is not None and given != inner_id:
            report.add(file, index, f"{pointer}/{key}/id", f"differs from {ref_field} {given}")
        if inner_id is not None:
            values.setdefault(ref_field, inner_id)
        _embed(bundle, report, target, inner, file, index, f"{pointer}/{key}")
    bundle.add(Row(table, values, file, index, pointer))
    for key, child_table in children.items():
        items = obj.get(key)
        if not isinstance(items, list):
            continue
        for position, child in enumerate(items):
            if isinstance(child, dict):
                _flatten(
                    bundle,
                    report,
                    child_table,
                    child,
                    file,
                    index,
                    f"{pointer}/{key}/{position}" if pointer else f"{key}/{position}",
                    table,
                    own_id if isinstance(own_id, str) else None,
                )


def _embed(
    bundle: Bundle, report: Report, table: str, obj: dict[str, Any], file: str, index: int, pointer: str
) -> None:
    """An embedded object: a shared record (term, unit, taxonomy) or a location given in full."""
    if table == "location":
        ids = bundle.ids("location")
        if obj.get("id") in ids:
            return
        _flatten(bundle, report, "location", obj, file, index, pointer, None, None)
        return
    existing = next((r for r in bundle.table(table) if r.id == obj.get("id")), None)
    if existing is None:
        _flatten(bundle, report, table, obj, file, index, pointer, None, None)
        return
    probe = Bundle()
    _flatten(probe, Report(), table, obj, file, index, pointer, None, None)
    mine = next((r for r in probe.table(table) if r.id == obj.get("id")), None)
    if mine is not None and mine.values != existing.values:
        report.add(
            file,
            index,
            pointer,
            f"{table} {obj.get('id')} differs from the one at {existing.file} row {existing.row}"
            + (f", {existing.pointer}" if existing.pointer else ""),
        )
    for name, rows in probe.rows.items():
        if name != table:
            for row in rows:
                if row.id not in bundle.ids(name):
                    bundle.add(row)


# -- writing -----------------------------------------------------------------------------------


def write(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """HSDS 3.0 organization objects from stored rows (table name → list of row dicts)."""
    specs = stored_tables()
    by_id: dict[str, dict[str, dict[str, Any]]] = {
        name: {row["id"]: row for row in rows} for name, rows in tables.items()
    }
    children: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    parent_keys = _parent_keys()
    for child_table, options in parent_keys.items():
        for row in tables.get(child_table, []):
            for parent_table, field_name, prop in options:
                if child_table == "attribute":
                    if row.get("link_entity") == parent_table and row.get("link_id"):
                        children[(parent_table, row["link_id"])][prop].append(row)
                        break
                    continue
                if row.get(field_name):
                    children[(parent_table, row[field_name])][prop].append(row)
                    break

    def build(table: str, row: dict[str, Any]) -> dict[str, Any]:
        spec = specs[table]
        out = _object(spec, row)
        for key, (target, ref_field) in EMBEDDED.get(table, {}).items():
            if table == "service_at_location":
                continue  # locations are written once, under their organization
            ref = row.get(ref_field)
            if ref and ref in by_id.get(target, {}):
                out[key] = build(target, by_id[target][ref])
        for prop, items in sorted(children.get((table, row["id"]), {}).items()):
            out[prop] = [build(_child_table(table, prop), item) for item in _sorted(items)]
        if table == "service":
            out.setdefault("capacities", [])
        return out

    organizations = [build("organization", row) for row in _sorted(tables.get("organization", []))]
    # A location with no organization is written inside the first service_at_location using it.
    homeless = [row for row in tables.get("location", []) if not row.get("organization_id")]
    if homeless:
        _place_homeless_locations(organizations, {row["id"]: build("location", row) for row in homeless})
    return organizations


def _parent_keys() -> dict[str, list[tuple[str, str, str]]]:
    """child table → [(parent table, field in child, property in parent)] in export order."""
    options: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for parent, props in NESTED.items():
        for prop, child in props.items():
            field_name = "link_id" if child == "attribute" else f"{parent}_id"
            options[child].append((parent, field_name, prop))
    for child, order in EXPORT_PARENT.items():
        rank = {name: i for i, name in enumerate(order)}
        options[child].sort(key=lambda option: rank.get(option[1], len(rank)))
    return options


def _child_table(parent: str, prop: str) -> str:
    return NESTED[parent][prop]


def _sorted(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: str(row.get("id")))


def _object(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fspec in spec.all_fields:
        value = row.get(fspec.name)
        if fspec.type == "list":
            out[fspec.name] = list(value or [])
            continue
        if value is None and fspec.name not in ALWAYS:
            continue
        out[fspec.name] = to_json_value(fspec, value)
    return out


def _place_homeless_locations(
    organizations: list[dict[str, Any]], homeless: dict[str, dict[str, Any]]
) -> None:
    for org in organizations:
        for service in org.get("services", []):
            for sal in service.get("service_at_locations", []):
                location = homeless.pop(sal.get("location_id"), None)
                if location is not None:
                    sal["location"] = location
