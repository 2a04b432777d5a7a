"""HSDS import and export from the browser (coordinators).

An upload (a ``.json`` file or a CSV package as ``.zip``, at most :data:`desk.guard.MAX_UPLOAD`
bytes) goes through the same code as ``brujula registry validate|import``
(:mod:`referrals.transfer`): the whole file is checked first, and with any error nothing is
written and the report says where. *Check only* never writes. An import is one transaction
(the finder's rows included) and is recorded in the audit log with the rows it wrote.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from desk.audit import Action, record
from desk.context import Desk
from desk.guard import MAX_UPLOAD, Visitor
from referrals.report import Report
from referrals.transfer import export_csv, export_json_text, import_path, validate

SUFFIXES = (".json", ".zip")


class TransferPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def page(self, request: Request, visitor: Visitor) -> Response:
        return self._render(request, visitor, None, "", False)

    async def upload(self, request: Request, visitor: Visitor) -> Response:
        form = visitor.form
        assert form is not None
        sent = form.get("file")
        check_only = form.get("action") != "import"
        if not isinstance(sent, UploadFile) or not sent.filename:
            return self._render(request, visitor, None, "", check_only, problem="missing", status=400)
        name = Path(sent.filename).name[:120]
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            return self._render(request, visitor, None, name, check_only, problem="type", status=400)
        data = await sent.read()
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).stem)[:80] or "upload"
        report = await asyncio.to_thread(self._run, data, safe + suffix, check_only)
        if report.applied:
            await asyncio.to_thread(self._audit, visitor.username, name, report)
        status = 200 if report.ok else 400
        return self._render(request, visitor, report, name, check_only, status=status)

    def _run(self, data: bytes, filename: str, check_only: bool) -> Report:
        """Check (and import) the upload from a private temporary folder, under its own name so
        that the report names the file the coordinator sent."""
        with tempfile.TemporaryDirectory(prefix="brujula-upload-") as folder:
            path = Path(folder) / filename
            path.write_bytes(data)
            if check_only:
                return validate(path, self.desk.db)[1]
            return import_path(self.desk.db, path, gazetteer=self.desk.gazetteer)

    def _audit(self, actor: str, name: str, report: Report) -> None:
        counts = "\n".join(f"{table}: {count}" for table, count in sorted(report.counts.items()))
        with Session(self.desk.db) as db:
            record(db, actor=actor, action=Action.REGISTRY_IMPORT, target=f"file {name}", after=counts)
            db.commit()

    async def export_json(self, request: Request, visitor: Visitor) -> Response:
        text = await asyncio.to_thread(export_json_text, self.desk.db)
        return Response(
            text.encode("utf-8"),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="registry-{self.desk.today()}.json"'},
        )

    async def export_zip(self, request: Request, visitor: Visitor) -> Response:
        def build() -> bytes:
            with tempfile.TemporaryDirectory(prefix="brujula-export-") as folder:
                target = Path(folder) / "registry.zip"
                export_csv(self.desk.db, target)
                return target.read_bytes()

        data = await asyncio.to_thread(build)
        return Response(
            data,
            media_type="application/zip",
            headers={"content-disposition": f'attachment; filename="registry-{self.desk.today()}.zip"'},
        )

    def _render(
        self,
        request: Request,
        visitor: Visitor,
        report: Report | None,
        name: str,
        check_only: bool,
        *,
        problem: str = "",
        status: int = 200,
    ) -> Response:
        t = visitor.text
        problems = {
            "missing": t.gettext("Choose a file first."),
            "type": t.gettext("Send a .json file (HSDS JSON) or a .zip file (the HSDS CSV package)."),
        }
        return self.desk.render(
            request,
            visitor,
            "registry_transfer.html",
            {
                "report": report,
                "name": name,
                "check_only": check_only,
                "problem": problems.get(problem, ""),
                "counts": sorted(report.counts.items()) if report else [],
                "max_mb": MAX_UPLOAD // 1024 // 1024,
            },
            status=status,
            title=t.gettext("Import and export"),
        )
