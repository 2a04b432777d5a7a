"""The registry's edit forms: which HSDS 3.0 fields (and Mexico-profile extras) a coordinator edits
for each kind of record, and how a submitted form is checked before anything is written.

Every label, choice and error is an English msgid, marked with :func:`_` so ``pybabel extract``
finds it and translated when the page is drawn. :func:`parse` never raises on what a browser
sends: it returns the values to store, or the errors per field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from referrals.profile import POPULATIONS, STATE_CODES


def _(msgid: str) -> str:
    """Marks a msgid for extraction; the page translates it."""
    return msgid


@dataclass(frozen=True, slots=True)
class Problem:
    """An error message (msgid) and its placeholder values."""

    msgid: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str  # msgid
    kind: str  # text long choice checks number integer bool time date email url phone
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, msgid); dynamic ones are filled in by the page
    max_length: int = 300
    low: float | None = None
    high: float | None = None
    hint: str = ""  # msgid


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of record: its table, the parents it may hang from and its fields."""

    name: str
    title: str  # msgid
    #: parent columns a new record may be created under, in order of preference: a location is
    #: preferred to a service, since a location's "Add hours" link also names the service to go
    #: back to
    parents: tuple[str, ...]
    fields: tuple[FormField, ...] = field(default_factory=tuple)


SERVICE_STATUSES: Final = (
    ("active", _("active")),
    ("temporarily closed", _("temporarily closed")),
    ("inactive", _("inactive")),
    ("defunct", _("defunct (closed for good)")),
)
SCOPE_CHOICES: Final = (
    ("local", _("local (one town)")),
    ("state", _("state")),
    ("national", _("national (phone, online, federal)")),
)
PUBLICATION_CHOICES: Final = (
    ("draft", _("draft (never referred)")),
    ("published", _("published")),
)
LOCATION_TYPES: Final = (
    ("physical", _("physical (a place people go)")),
    ("postal", _("postal")),
    ("virtual", _("virtual (online)")),
)
PHONE_TYPES: Final = (
    ("voice", _("voice")),
    ("cell", _("mobile")),
    ("text", _("text messages")),
    ("fax", _("fax")),
    ("video", _("video")),
    ("pager", _("pager")),
    ("textphone", _("textphone")),
)
DAYS: Final = (
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
)
ADDRESS_TYPES: Final = (
    ("physical", _("physical")),
    ("postal", _("postal")),
    ("virtual", _("virtual")),
)

_TEXT = 300
_LONG = 4000

KINDS: Final[dict[str, Kind]] = {
    k.name: k
    for k in (
        Kind(
            "organization",
            _("Organization"),
            (),
            (
                FormField("name", _("Name"), "text", required=True),
                FormField("alternate_name", _("Other name or acronym"), "text"),
                FormField("description", _("Description"), "long", required=True, max_length=_LONG),
                FormField("email", _("E-mail"), "email"),
                FormField("website", _("Web site"), "url"),
                FormField("record_source", _("Source of this information"), "text"),
            ),
        ),
        Kind(
            "service",
            _("Service"),
            ("organization_id",),
            (
                FormField("name", _("Name"), "text", required=True),
                FormField("alternate_name", _("Other name or acronym"), "text"),
                FormField("description", _("Description"), "long", max_length=_LONG),
                FormField("status", _("Status"), "choice", required=True, choices=SERVICE_STATUSES),
                FormField(
                    "categories", _("Categories (what the assistant refers it for)"), "checks", required=True
                ),
                FormField("scope", _("Where it is offered"), "choice", required=True, choices=SCOPE_CHOICES),
                FormField(
                    "populations", _("Meant for"), "checks", choices=tuple((p, p) for p in POPULATIONS)
                ),
                FormField("alert", _("Warning shown with every referral"), "long", max_length=1000),
                FormField("url", _("Web site"), "url"),
                FormField("email", _("E-mail"), "email"),
                FormField("application_process", _("How to apply"), "long", max_length=_LONG),
                FormField("eligibility_description", _("Who can use it"), "long", max_length=_LONG),
                FormField("fees_description", _("Fees"), "long", max_length=1000),
                FormField("interpretation_services", _("Interpretation"), "long", max_length=1000),
                FormField("minimum_age", _("Minimum age"), "integer", low=0, high=120),
                FormField("maximum_age", _("Maximum age"), "integer", low=0, high=120),
                FormField("record_source", _("Source of this information"), "text"),
            ),
        ),
        Kind(
            "location",
            _("Location"),
            ("service_id",),
            (
                FormField("name", _("Name"), "text"),
                FormField("location_type", _("Type"), "choice", required=True, choices=LOCATION_TYPES),
                FormField("state", _("State"), "choice", choices=tuple((c, c) for c in STATE_CODES)),
                FormField("municipality", _("Municipality"), "text"),
                FormField(
                    "confidential",
                    _("Confidential address (a shelter for people at risk)"),
                    "bool",
                    hint=_("The assistant matches it but never shows its address, name or map."),
                ),
                FormField("latitude", _("Latitude"), "number", low=-90, high=90),
                FormField("longitude", _("Longitude"), "number", low=-180, high=180),
                FormField("description", _("Description"), "long", max_length=_LONG),
                FormField("transportation", _("How to get there"), "long", max_length=1000),
                FormField("url", _("Web site"), "url"),
                FormField("record_source", _("Source of this information"), "text"),
            ),
        ),
        Kind(
            "address",
            _("Address"),
            ("location_id",),
            (
                FormField("address_1", _("Street and number"), "text", required=True),
                FormField("address_2", _("Neighbourhood, interior"), "text"),
                FormField("city", _("City"), "text", required=True),
                FormField("state_province", _("State"), "text", required=True),
                FormField("postal_code", _("Postal code"), "text", max_length=10),
                FormField("country", _("Country (two letters)"), "text", required=True, max_length=2),
                FormField("address_type", _("Type"), "choice", required=True, choices=ADDRESS_TYPES),
            ),
        ),
        Kind(
            "phone",
            _("Phone"),
            ("location_id", "service_id"),
            (
                FormField("number", _("Number"), "phone", required=True, max_length=40),
                FormField("extension", _("Extension"), "integer", low=0, high=999999),
                FormField("type", _("Type"), "choice", choices=PHONE_TYPES),
                FormField("description", _("Description"), "text"),
            ),
        ),
        Kind(
            "schedule",
            _("Hours"),
            ("location_id", "service_id"),
            (
                FormField("byday", _("Days"), "checks", choices=DAYS),
                FormField("opens_at", _("Opens at"), "time", hint=_("24 hours, e.g. 09:00")),
                FormField("closes_at", _("Closes at"), "time", hint=_("24 hours, e.g. 17:30")),
                FormField("valid_from", _("Valid from"), "date"),
                FormField("valid_to", _("Valid until"), "date"),
                FormField("description", _("Hours in words"), "long", max_length=1000),
                FormField("notes", _("Notes"), "long", max_length=1000),
            ),
        ),
        Kind(
            "service_capacity",
            _("Capacity"),
            ("service_id",),
            (
                FormField("unit", _("Unit (e.g. beds)"), "text", required=True, max_length=80),
                FormField("available", _("Available now"), "integer", low=0, high=1000000),
                FormField("maximum", _("Maximum"), "integer", low=0, high=1000000),
                FormField("description", _("Description"), "text"),
            ),
        ),
    )
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]*$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(slots=True)
class Parsed:
    values: dict[str, Any]
    errors: dict[str, Problem]
    raw: dict[str, Any]  # what was sent, to show the form again

    @property
    def ok(self) -> bool:
        return not self.errors


def _number(text: str, spec: FormField) -> tuple[float | None, Problem | None]:
    try:
        number = float(text.replace(",", ".")) if spec.kind == "number" else int(text)
    except ValueError:
        message = _("Write a whole number.") if spec.kind == "integer" else _("Write a number.")
        return None, Problem(message)
    if (spec.low is not None and number < spec.low) or (spec.high is not None and number > spec.high):
        return None, Problem(
            _("Between {low} and {high}."), (("low", f"{spec.low:g}"), ("high", f"{spec.high:g}"))
        )
    return float(number), None


def _one(spec: FormField, text: str, allowed: Sequence[str]) -> tuple[Any, Problem | None]:
    """One field's stored value (None: empty), or the problem with it."""
    if _CONTROL.search(text):
        return None, Problem(_("Remove the control characters."))
    if spec.kind not in ("long",):
        text = " ".join(text.split())
    text = text.strip()
    if not text:
        return None, Problem(_("Required.")) if spec.required else None
    if len(text) > spec.max_length:
        return None, Problem(_("At most {count} characters."), (("count", str(spec.max_length)),))
    if spec.kind == "choice":
        return (text, None) if text in allowed else (None, Problem(_("Choose one of the options.")))
    if spec.kind in ("number", "integer"):
        return _number(text, spec)
    if spec.kind == "time":
        if not _TIME.match(text):
            return None, Problem(_("Write a time as HH:MM (24 hours), e.g. 09:00."))
        return text[:5] + ":00", None  # stored as HSDS writes it
    if spec.kind == "date":
        try:
            if _DATE.match(text):
                return date.fromisoformat(text), None
        except ValueError:
            pass
        return None, Problem(_("Write a date as YYYY-MM-DD."))
    if spec.kind == "email" and not _EMAIL.match(text):
        return None, Problem(_("Write an e-mail address like name@example.org."))
    if spec.kind == "url" and not re.match(r"^https?://[^\s/]+\.[^\s]+$", text):
        return None, Problem(_("Write a web address that starts with https:// or http://."))
    if spec.kind == "phone" and (not _PHONE.match(text) or sum(c.isdigit() for c in text) < 3):
        return None, Problem(_("Write a phone number: digits, spaces, +, - and parentheses."))
    return text, None


def parse(
    kind: Kind,
    form: Mapping[str, Any],
    getlist: Mapping[str, list[str]],
    choices: Mapping[str, Sequence[str]],
) -> Parsed:
    """Check a submitted form. ``getlist`` holds the multi-valued fields (checkboxes); ``choices``
    the allowed values of fields whose choices come from the database (categories)."""
    values: dict[str, Any] = {}
    errors: dict[str, Problem] = {}
    raw: dict[str, Any] = {}
    for spec in kind.fields:
        allowed = choices.get(spec.name) or [value for value, _label in spec.choices]
        if spec.kind == "checks":
            picked = [v for v in getlist.get(spec.name, []) if isinstance(v, str)]
            raw[spec.name] = picked
            if any(v not in allowed for v in picked):
                errors[spec.name] = Problem(_("Choose one of the options."))
            elif spec.required and not picked:
                errors[spec.name] = Problem(_("Choose at least one."))
            values[spec.name] = [v for v in allowed if v in picked]
            continue
        if spec.kind == "bool":
            raw[spec.name] = form.get(spec.name) == "1"
            values[spec.name] = raw[spec.name]
            continue
        text = form.get(spec.name, "")
        text = text if isinstance(text, str) else ""
        raw[spec.name] = text
        value, problem = _one(spec, text, allowed)
        if problem is not None:
            errors[spec.name] = problem
        else:
            values[spec.name] = value
    _together(kind.name, values, errors)
    return Parsed(values, errors, raw)


def _together(kind: str, values: dict[str, Any], errors: dict[str, Problem]) -> None:
    """Rules across fields."""

    def fine(*names: str) -> bool:
        return not any(n in errors for n in names)

    if kind == "schedule" and fine("opens_at", "closes_at", "byday"):
        opens, closes = values.get("opens_at"), values.get("closes_at")
        if bool(opens) != bool(closes):
            errors["closes_at" if opens else "opens_at"] = Problem(
                _("Give both the opening and the closing time.")
            )
        elif opens and closes and closes <= opens:
            errors["closes_at"] = Problem(_("The closing time must be after the opening time."))
        elif opens and not values.get("byday"):
            errors["byday"] = Problem(_("Choose the days these hours apply to."))
        elif not opens and not values.get("description"):
            errors["opens_at"] = Problem(_("Give the hours, or describe them in words."))
    if kind == "schedule" and fine("valid_from", "valid_to"):
        start, end = values.get("valid_from"), values.get("valid_to")
        if start and end and end < start:
            errors["valid_to"] = Problem(_("The end date is before the start date."))
    if kind == "service" and fine("minimum_age", "maximum_age"):
        low, high = values.get("minimum_age"), values.get("maximum_age")
        if low is not None and high is not None and high < low:
            errors["maximum_age"] = Problem(_("The maximum age is below the minimum age."))
    if (
        kind == "location"
        and fine("latitude", "longitude")
        and ((values.get("latitude") is None) != (values.get("longitude") is None))
    ):
        errors["longitude"] = Problem(_("Give both latitude and longitude, or neither."))
    if kind == "service_capacity" and fine("available", "maximum"):
        available, maximum = values.get("available"), values.get("maximum")
        if available is not None and maximum is not None and available > maximum:
            errors["available"] = Problem(_("More available than the maximum."))
    if kind == "address" and fine("country"):
        country = values.get("country")
        if isinstance(country, str):
            if not country.isalpha() or len(country) != 2:
                errors["country"] = Problem(_("Two letters, e.g. MX."))
            else:
                values["country"] = country.upper()


def as_text(kind: Kind, values: Mapping[str, Any]) -> str:
    """A record as "field: value" lines (the audit log's before/after)."""
    lines = []
    for spec in kind.fields:
        value = values.get(spec.name)
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        lines.append(f"{spec.name}: {'' if value is None else value}")
    return "\n".join(lines)
