"""The gettext catalogs of the interface strings (``locales/<lang>/LC_MESSAGES/messages.po``):
read, measure, check, merge and compile them.

Babel's command line does not serve the languages CLDR does not know (``nah``, ``tzo``, ``mam``,
``otq``): ``pybabel compile`` drops their ``Plural-Forms`` header from the ``.mo`` and skips any
catalog whose header is marked fuzzy; ``pybabel update`` rewrites their header without
``Plural-Forms`` and without our ``X-Review-Status``. This module does both jobs for every
catalog instead:

- compile with ``msgfmt`` semantics: fuzzy and empty entries are left out (they fall back along
  the language chain at run time), the header goes into the ``.mo`` exactly as written, and a
  translation whose ``{placeholders}`` differ from its msgid is refused::

      python -m content.catalogs compile locales/mam/LC_MESSAGES/messages.{po,mo}

- merge ``messages.pot`` into every catalog like ``msgmerge``, keeping each header verbatim::

      python -m content.catalogs update

A leaf: never imports ``bot``.
"""

from __future__ import annotations

import io
import os
import re
import string
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from content.problems import Problem

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
_PLURAL_FORMS = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?);?\s*$")


class CatalogError(ValueError):
    """A catalog that cannot be compiled; the message names the file and the msgid."""


@dataclass(frozen=True, slots=True)
class CatalogStats:
    language: str
    total: int  # msgids in the template
    translated: int  # translated, not fuzzy, and in the template
    fuzzy: int
    missing: tuple[str, ...]  # template msgids without a usable translation
    review_status: str  # the X-Review-Status header: "draft", "reviewed" or "unknown"

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def po_path(language: str, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages_with_catalogs(locales: Path = LOCALES) -> list[str]:
    return sorted(p.parent.parent.name for p in locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read_catalog(path: Path) -> Catalog:
    """The catalog at ``path``; the locale is not parsed (CLDR may not know it)."""
    with path.open("rb") as fh:
        return read_po(fh, locale=None, abort_invalid=True)


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, str):
        return [message.string]
    return [s for s in message.string or () if s is not None]


def _usable(message: Message) -> bool:
    return bool(message.id) and not message.fuzzy and all(_strings(message)) and bool(_strings(message))


def placeholders(text: str) -> set[str]:
    """The ``{named}`` placeholders of a format string (``{{`` escapes ignored)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def plural_forms_problem(header: str | None) -> str | None:
    if not header:
        return "no Plural-Forms header (write e.g. 'nplurals=2; plural=(n != 1);')"
    match = _PLURAL_FORMS.match(header)
    if match is None:
        return f"Plural-Forms header is not 'nplurals=N; plural=EXPR;' ({header!r})"
    return None


def _format_problems(catalog: Catalog, where: str) -> list[Problem]:
    problems = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue  # a fuzzy entry is never served; its own check names it
        msgid = _msgid(message)
        expected = placeholders(msgid)
        for text in _strings(message):
            if text and placeholders(text) != expected:
                found = sorted(placeholders(text))
                problems.append(
                    Problem(where, msgid, f"placeholders {found} differ from the msgid's {sorted(expected)}")
                )
    return problems


def check_catalog(path: Path, template: Catalog | None = None, *, complete: bool = False) -> list[Problem]:
    """Faults in one catalog. ``complete`` (released languages): every template msgid must be
    translated, nothing fuzzy, the header not fuzzy."""
    where = str(path)
    try:
        catalog = read_catalog(path)
    except Exception as exc:  # babel raises several kinds of parse errors
        return [Problem(where, "", f"cannot be read: {exc}")]
    problems: list[Problem] = []
    plural = plural_forms_problem(headers(path).get("plural-forms"))
    if plural:
        problems.append(Problem(where, "", plural))
    problems += _format_problems(catalog, where)
    if not complete:
        return problems
    if catalog.fuzzy:
        problems.append(Problem(where, "", "the header is marked fuzzy: remove '#, fuzzy' above msgid \"\""))
    for message in catalog:
        if message.id and message.fuzzy:
            problems.append(
                Problem(where, _msgid(message), "fuzzy: check the translation, then remove '#, fuzzy'")
            )
    if template is not None:
        have = {_msgid(m) for m in catalog if _usable(m) or (m.id and m.fuzzy)}
        for message in template:
            if message.id and _msgid(message) not in have:
                problems.append(Problem(where, _msgid(message), "missing translation"))
    return problems


def header_text(path: Path) -> str:
    """The msgstr of the catalog's header entry, verbatim (Babel keeps only the headers it knows,
    and drops ``Plural-Forms`` for locales CLDR does not know)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    state = "before"
    for raw in lines:
        line = raw.strip()
        if state == "before":
            if line == 'msgid ""':
                state = "msgid"
            continue
        if state == "msgid":
            if line.startswith("msgstr "):
                state = "msgstr"
                line = line[len("msgstr ") :]
            elif line.startswith('"'):
                return ""  # the first entry is not the header
            else:
                continue
        if state == "msgstr":
            if not line.startswith('"'):
                break
            out.append(_unquote(line))
    return "".join(out)


def _unquote(line: str) -> str:
    body = line[1:-1] if len(line) >= 2 and line.endswith('"') else line[1:]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def headers(path: Path) -> dict[str, str]:
    """The header fields of a catalog, case-insensitive keys lowered."""
    fields = {}
    for row in header_text(path).split("\n"):
        name, sep, value = row.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


def stats(path: Path, template: Catalog, language: str | None = None) -> CatalogStats:
    catalog = read_catalog(path)
    ids = [_msgid(m) for m in template if m.id]
    usable = {_msgid(m) for m in catalog if _usable(m)}
    fuzzy = {_msgid(m) for m in catalog if m.id and m.fuzzy}
    status = headers(path).get("x-review-status", "unknown").lower() or "unknown"
    return CatalogStats(
        language=language or path.parent.parent.name,
        total=len(ids),
        translated=sum(1 for i in ids if i in usable),
        fuzzy=sum(1 for i in ids if i in fuzzy),
        missing=tuple(i for i in ids if i not in usable),
        review_status=status,
    )


class _WithRawHeader(Catalog):
    """The messages of ``source`` under the header exactly as the ``.po`` file writes it."""

    def __init__(self, source: Catalog, header: str) -> None:
        super().__init__(charset=source.charset or "utf-8")
        self._source = source
        self._header = header

    def __iter__(self) -> Iterator[Message]:
        yield Message("", self._header)
        yield from (m for m in self._source if m.id)


def compile_to_bytes(path: Path) -> bytes:
    """The ``.mo`` for the catalog at ``path`` (fuzzy and empty entries left out)."""
    try:
        catalog = read_catalog(path)
    except Exception as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from None
    problems = _format_problems(catalog, str(path))
    if problems:
        raise CatalogError("; ".join(str(p) for p in problems))
    buf = io.BytesIO()
    write_mo(buf, _WithRawHeader(catalog, header_text(path)), use_fuzzy=False)
    return buf.getvalue()


def compile_catalog(po: Path, mo: Path | None = None) -> Path:
    """Write the ``.mo`` next to the ``.po`` (or at ``mo``), atomically."""
    target = mo or po.with_suffix(".mo")
    data = compile_to_bytes(po)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def compile_all(locales: Path = LOCALES) -> list[Path]:
    return [compile_catalog(po_path(lang, locales)) for lang in languages_with_catalogs(locales)]


def _header_block(path: Path) -> str:
    """The top of a ``.po`` file up to the end of its header entry: comments, msgid/msgstr "" and
    the quoted header lines, verbatim."""
    lines = path.read_text(encoding="utf-8").splitlines()
    end = 0
    seen_msgstr = False
    for i, line in enumerate(lines):
        if line.startswith("msgstr "):
            seen_msgstr = True
            end = i + 1
        elif seen_msgstr:
            if line.startswith('"'):
                end = i + 1
            else:
                break
    return "\n".join(lines[:end]) + "\n"


def update_catalog(path: Path, template: Catalog) -> None:
    """Merge the template into the catalog like ``msgmerge``: new msgids arrive empty, changed ones
    come back fuzzy with the old translation, vanished ones go. The header (``Plural-Forms``,
    ``X-Review-Status``, the reviewer note) is kept exactly, which ``pybabel update`` does not
    do for the languages CLDR does not know."""
    header = _header_block(path)
    catalog = read_catalog(path)
    catalog.update(template, update_creation_date=False)
    body = io.BytesIO()
    write_po(
        body, catalog, width=100, no_location=True, omit_header=True, ignore_obsolete=True, sort_output=True
    )
    text = header + "\n" + body.getvalue().decode("utf-8").lstrip("\n")
    tmp = path.with_suffix(".po.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def update_all(locales: Path = LOCALES) -> list[Path]:
    template = read_catalog(locales / TEMPLATE.name)
    paths = [po_path(lang, locales) for lang in languages_with_catalogs(locales)]
    for path in paths:
        update_catalog(path, template)
    return paths


USAGE = """usage: python -m content.catalogs compile [messages.po messages.mo]
       python -m content.catalogs update"""


def main(argv: Iterable[str] | None = None) -> int:
    """``compile PO MO`` (one catalog; every catalog without arguments) or ``update`` (merge
    ``messages.pot`` into every catalog)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("", [])
    try:
        if command == "compile" and len(rest) == 2:
            compile_catalog(Path(rest[0]), Path(rest[1]))
        elif command == "compile" and not rest:
            for path in compile_all():
                print(f"compiled {path}")
        elif command == "update" and not rest:
            for path in update_all():
                print(f"updated {path}")
        else:
            print(USAGE, file=sys.stderr)
            return 2
    except CatalogError as exc:
        print(f"catalogs: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
