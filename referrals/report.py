"""The validation report of an import: one line per problem, with file, row and field."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

#: After this many problems the report stops listing them (and says how many more there were).
MAX_LISTED: Final = 500


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file.

    ``row`` is the CSV line (the header is line 1), or for JSON the position of the organization
    in the list (1 = the first); 0 when the problem is about the whole file. ``field`` is the
    column (CSV) or the path inside that organization (JSON, e.g. ``services/0/status``).
    ``level`` is ``error`` (nothing is imported) or ``warning`` (imported; read it).
    """

    file: str
    row: int
    field: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f", row {self.row}"
        if self.field:
            where += f", {self.field}"
        return f"{self.level}: {where}: {self.message}"


@dataclass(slots=True)
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # rows per table (read or written)
    applied: bool = False  # True once the import committed
    omitted: int = 0  # problems found beyond MAX_LISTED

    def add(self, file: str, row: int, field: str, message: str, *, level: str = "error") -> None:
        if len(self.problems) >= MAX_LISTED:
            self.omitted += 1
            return
        self.problems.append(Problem(file, row, field, message, level))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.omitted_errors

    @property
    def omitted_errors(self) -> bool:
        # Listing stops at MAX_LISTED; anything past it counts as an error, to be safe.
        return self.omitted > 0

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        if self.omitted:
            out.append(f"error: … and {self.omitted} more problems not listed")
        return out
