"""Table Schema field definitions: HSDS 3.0's tabular package plus the Mexico profile.

``datapackage.json`` (HSDS 3.0, shipped in ``data/hsds3``) defines every HSDS table, its CSV
file, its fields, their types and constraints, and its foreign keys. :data:`TABLES` is that
definition for the tables Brújula stores, with the profile extras (``referrals.profile``)
appended. The JSON and CSV readers, the validator, the writers and the database all use it.

Values in memory: ``string`` → ``str``; ``number`` → ``int`` or ``float``; ``boolean`` →
``bool``; ``date`` → ``datetime.date``; ``datetime`` → aware ``datetime`` in UTC; ``time`` →
``str`` as written (``HH:MM`` or ``HH:MM:SS``, optional ``Z``/offset); ``list`` → ``list[str]``;
``object`` → ``dict``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

HSDS_DIR: Final = Path(__file__).resolve().parent / "data" / "hsds3"
DATAPACKAGE: Final = HSDS_DIR / "datapackage.json"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str  # string | number | boolean | date | datetime | time | list | object
    format: str | None = None  # uuid | email | uri (strings)
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None  # for ``list``: allowed items


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str  # HSDS table name, e.g. "service"
    path: str  # CSV file of the HSDS fields, e.g. "services.csv"
    fields: tuple[FieldSpec, ...]  # HSDS fields, in HSDS order
    extras: tuple[FieldSpec, ...] = ()  # Mexico-profile fields (CSV: ``mx_<path>``)
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (field, referenced table); always its ``id``
    stored: bool = True  # False: HSDS defines it, Brújula does not keep it (metadata…)

    @property
    def extra_path(self) -> str:
        return f"mx_{self.path}"

    @property
    def all_fields(self) -> tuple[FieldSpec, ...]:
        return self.fields + self.extras

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.all_fields:
            if spec.name == name:
                return spec
        return None


#: Tables Brújula does not store: their CSV files are written empty and read with a warning.
NOT_STORED: Final = frozenset({"metadata", "meta_table_description"})


def _field_from_datapackage(raw: dict[str, Any]) -> FieldSpec:
    constraints = raw.get("constraints") or {}
    enum = constraints.get("enum")
    return FieldSpec(
        name=raw["name"],
        type=raw["type"],
        format=raw.get("format"),
        required=bool(constraints.get("required")),
        unique=bool(constraints.get("unique")),
        enum=tuple(enum) if enum else None,
    )


@lru_cache(maxsize=1)
def datapackage() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def tables() -> dict[str, TableSpec]:
    """Every table, in an order where a table comes after the tables it references."""
    from referrals.profile import EXTRAS, HSDS31_FOREIGN_KEYS, HSDS31_TABLES

    specs: dict[str, TableSpec] = {}
    for resource in datapackage()["resources"]:
        schema = resource["schema"]
        fks = tuple((fk["fields"], fk["reference"]["resource"]) for fk in schema.get("foreignKeys") or [])
        specs[resource["name"]] = TableSpec(
            name=resource["name"],
            path=resource["path"],
            fields=tuple(_field_from_datapackage(f) for f in schema["fields"]),
            extras=EXTRAS.get(resource["name"], ()),
            foreign_keys=fks,
            stored=resource["name"] not in NOT_STORED,
        )
    for name, (path, fields) in HSDS31_TABLES.items():
        specs[name] = TableSpec(name, path, fields, foreign_keys=HSDS31_FOREIGN_KEYS.get(name, ()))
    return {name: specs[name] for name in _dependency_order(specs)}


def _dependency_order(specs: dict[str, TableSpec]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for _field, ref in specs[name].foreign_keys:
            if ref in specs and ref != name:
                visit(ref)
        order.append(name)

    for name in specs:
        visit(name)
    return order


@lru_cache(maxsize=1)
def stored_tables() -> dict[str, TableSpec]:
    return {name: spec for name, spec in tables().items() if spec.stored}


# -- values ------------------------------------------------------------------------------------


class ValueProblem(ValueError):
    """A value that does not fit its field; the message is meant for a coordinator."""


def check_value(spec: FieldSpec, value: Any) -> Any:
    """``value`` as the in-memory type of ``spec`` (JSON input), or :class:`ValueProblem`."""
    if value is None:
        return None
    kind = spec.type
    if kind == "string":
        if not isinstance(value, str):
            raise ValueProblem(f"must be text, not {_json_type(value)}")
        _check_string(spec, value)
        return value
    if kind in {"number", "integer"}:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueProblem(f"must be a number, not {_json_type(value)}")
        if isinstance(value, float) and value != value:  # NaN
            raise ValueProblem("must be a number")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueProblem(f"must be true or false, not {_json_type(value)}")
        return value
    if kind == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        return parse_date(_text(value))
    if kind == "datetime":
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return parse_datetime(_text(value))
    if kind == "time":
        text = _text(value)
        if not _TIME.match(text):
            raise ValueProblem("must be a time like 09:00 or 09:00:00")
        return text
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueProblem("must be a list of codes")
        if spec.enum is not None:
            for item in value:
                if item not in spec.enum:
                    raise ValueProblem(f"{item!r} is not one of {', '.join(spec.enum)}")
        if len(set(value)) != len(value):
            raise ValueProblem("repeats a code")
        return list(value)
    if kind == "object":
        if not isinstance(value, dict):
            raise ValueProblem(f"must be an object, not {_json_type(value)}")
        return value
    raise ValueProblem(f"unsupported field type {kind}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"must be text, not {_json_type(value)}")
    return value


def _check_string(spec: FieldSpec, value: str) -> None:
    if spec.enum is not None and value not in spec.enum:
        raise ValueProblem(f"{value!r} is not one of {', '.join(spec.enum)}")
    if spec.format == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            raise ValueProblem(f"{_short(value)!r} is not a UUID") from None
        if len(value) != 36:
            raise ValueProblem(f"{_short(value)!r} is not a UUID in its 36-character form")
    elif spec.format == "email" and value and not _EMAIL.match(value):
        raise ValueProblem(f"{_short(value)!r} is not an e-mail address")
    elif spec.format == "uri" and value and not _URI.match(value):
        raise ValueProblem(f"{_short(value)!r} is not a URI")


def parse_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"{_short(text)!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise ValueProblem(f"{_short(text)!r} is not a date and time (ISO 8601)") from None
    if parsed.tzinfo is None:
        raise ValueProblem(f"{_short(text)!r} has no time zone (add Z or an offset)")
    return parsed.astimezone(UTC)


def parse_time(text: str) -> time:
    """The wall-clock part of an HSDS time ("09:00", "09:00:00", "09:00Z")."""
    match = _TIME.match(text)
    if not match:
        raise ValueProblem(f"{_short(text)!r} is not a time")
    return time.fromisoformat(text[:8] if len(text) >= 8 and text[5] == ":" else text[:5])


def format_datetime(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.isoformat().replace("+00:00", "Z")


def format_number(value: float) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def to_json_value(spec: FieldSpec, value: Any) -> Any:
    """The JSON form of a stored value."""
    if value is None:
        return None
    if spec.type == "date":
        return value.isoformat() if isinstance(value, date) else value
    if spec.type == "datetime":
        return format_datetime(value) if isinstance(value, datetime) else value
    if spec.type in {"number", "integer"}:
        return format_number(value)
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class Row:
    """One record of one table, with where it came from (for the report)."""

    table: str
    values: dict[str, Any]
    file: str
    row: int  # 1-based: the CSV line, or the JSON organization's position in the list
    pointer: str = ""  # JSON: where the object is inside that organization ("services/0")
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str | None:
        value = self.values.get("id")
        return value if isinstance(value, str) else None
