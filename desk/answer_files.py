"""Reading and writing the answer files (``content/answers/<intent>/<language>.yml``) as people
wrote them: the same key order, multi-line texts as ``|-`` blocks, ``sources`` as a flow list,
the leading comment block kept. Writes are atomic (a temporary file in the same folder, flushed,
then renamed over the old one) so the assistant never reads half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FlowList(list[Any]):
    """A list written on one line: ``sources: [S1, S2]``."""


class _Block(str):
    """A text written as a ``|-`` block (the summary and the section texts)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # "sections:\n  - key: …" (indented), as the files are written by hand
        super().increase_indent(flow, False)


def _block(dumper: yaml.SafeDumper, data: _Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")


def _plain(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Where a plain scalar will not do, quote with "…" as the hand-written files do (not '…').
    needs_quotes = yaml.safe_dump(data, allow_unicode=True, width=100_000).startswith(("'", '"'))
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"' if needs_quotes else None)


def _flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _plain)
_Dumper.add_representer(_Block, _block)
_Dumper.add_representer(_FlowList, _flow)


def digest(text: str) -> str:
    """Identifies a version of a file: an edit is refused if the file changed since it was opened."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leading_comments(text: str) -> str:
    """The comment block at the top of a file (kept when the file is rewritten)."""
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#") or (lines and not line.strip()):
            lines.append(line)
            continue
        break
    return "".join(lines).rstrip("\n") + "\n" if lines else ""


def parse(text: str) -> dict[str, Any]:
    raw = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - safe loader
    if not isinstance(raw, dict):
        raise ValueError("expected a mapping")
    return raw


def dump(raw: dict[str, Any], *, comments: str = "") -> str:
    """YAML text for an answer mapping, laid out like the hand-written files."""
    data = dict(raw)
    if isinstance(data.get("summary"), str):
        data["summary"] = _Block(data["summary"])
    if isinstance(data.get("sections"), list):
        data["sections"] = [
            {k: _Block(v) if k == "text" and isinstance(v, str) else v for k, v in section.items()}
            if isinstance(section, dict)
            else section
            for section in data["sections"]
        ]
    if isinstance(data.get("sources"), list):
        data["sources"] = _FlowList(data["sources"])
    body = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=False
    )
    return comments + body


def clean_text(value: str) -> str:
    """Text from a browser form: newlines as ``\\n``, no trailing spaces, no tabs, trimmed."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step; readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
