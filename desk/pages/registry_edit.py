"""Keeping the registry: records (staff read them), their edit forms, "verified today", draft →
published and the stale report (coordinators).

Every edit is checked on the server (:mod:`desk.registry_forms`) and written with its audit entry
and the finder's rows in one transaction (:mod:`desk.registry_records`). Routes that change
anything need the coordinator role (:func:`desk.guard.guarded` answers 403 otherwise).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dialogue.render import population_label
from desk.context import Desk
from desk.guard import Visitor, href
from desk.registry_forms import (
    DAYS,
    KINDS,
    PUBLICATION_CHOICES,
    SERVICE_STATUSES,
    FormField,
    Kind,
    Parsed,
    parse,
)
from desk.registry_records import (
    STALE_AFTER,
    Saved,
    exists,
    load,
    organization_view,
    save,
    service_lines,
    service_view,
    set_publication,
    verify,
)
from desk.roles import Role
from referrals.places import normalise
from referrals.taxonomy import load_taxonomy

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _valid_id(value: str | None) -> str | None:
    return value if value and _ID.match(value) else None


class RegistryEditPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.taxonomy = load_taxonomy()

    # -- reading (staff) ---------------------------------------------------------------------

    async def records(self, request: Request, visitor: Visitor) -> Response:
        words = request.query_params.get("q", "").strip()[:120]
        lines = await asyncio.to_thread(service_lines, self.desk.db)
        if words:
            wanted = normalise(words).split()
            lines = [s for s in lines if all(w in normalise(f"{s.name} {s.organization}") for w in wanted)]
        return self.desk.render(
            request,
            visitor,
            "registry_records.html",
            {"lines": lines, "q": words, "may_edit": self._may_edit(visitor)},
            title=visitor.text.gettext("Registry records"),
        )

    async def service(self, request: Request, visitor: Visitor) -> Response:
        service_id = _valid_id(request.path_params.get("service_id"))
        view = await asyncio.to_thread(service_view, self.desk.db, service_id) if service_id else None
        if view is None:
            return self.desk.error(request, visitor, 404, "missing")
        t = visitor.text
        publication = view.service.get("publication_status") or "published"
        return self.desk.render(
            request,
            visitor,
            "registry_service.html",
            {
                "view": view,
                "may_edit": self._may_edit(visitor),
                "categories": [self._category(visitor, code) for code in view.categories],
                "populations": [
                    population_label(t.catalog, p)
                    for p in (view.service.get("populations") or "").split(",")
                    if p
                ],
                "status_label": dict(SERVICE_STATUSES).get(view.service["status"], view.service["status"]),
                "publication": publication,
                "publication_label": dict(PUBLICATION_CHOICES).get(publication, publication),
                "days": dict(DAYS),
                "message": self._message(visitor, request.query_params.get("done", "")),
                "verified": self.desk.local(view.service.get("last_verified_at")),
            },
            title=str(view.service["name"]),
        )

    async def organization(self, request: Request, visitor: Visitor) -> Response:
        organization_id = _valid_id(request.path_params.get("organization_id"))
        found = (
            await asyncio.to_thread(organization_view, self.desk.db, organization_id)
            if organization_id
            else None
        )
        if found is None:
            return self.desk.error(request, visitor, 404, "missing")
        organization, services = found
        return self.desk.render(
            request,
            visitor,
            "registry_organization.html",
            {
                "organization": organization,
                "services": services,
                "may_edit": self._may_edit(visitor),
                "message": self._message(visitor, request.query_params.get("done", "")),
            },
            title=str(organization["name"]),
        )

    async def stale(self, request: Request, visitor: Visitor) -> Response:
        since = self.desk.now() - STALE_AFTER
        lines = await asyncio.to_thread(service_lines, self.desk.db, stale_at=since)
        return self.desk.render(
            request,
            visitor,
            "registry_stale.html",
            {"lines": lines, "days": STALE_AFTER.days},
            title=visitor.text.gettext("Services to verify"),
        )

    # -- editing (coordinators) --------------------------------------------------------------

    async def edit_form(self, request: Request, visitor: Visitor) -> Response:
        kind, record_id = self._kind(request), _valid_id(request.path_params.get("record_id"))
        values = (
            await asyncio.to_thread(load, self.desk.db, kind.name, record_id) if kind and record_id else None
        )
        if kind is None or values is None:
            return self.desk.error(request, visitor, 404, "missing")
        return self._form(request, visitor, kind, values, {}, record_id=record_id)

    async def edit_save(self, request: Request, visitor: Visitor) -> Response:
        kind, record_id = self._kind(request), _valid_id(request.path_params.get("record_id"))
        if kind is None or record_id is None or not await self._exists(kind.name, record_id):
            return self.desk.error(request, visitor, 404, "missing")
        return await self._save(request, visitor, kind, record_id=record_id)

    async def new_form(self, request: Request, visitor: Visitor) -> Response:
        kind = self._kind(request)
        parent = await self._parent(request, kind) if kind else None
        if kind is None or (kind.parents and parent is None):
            return self.desk.error(request, visitor, 404, "missing")
        defaults: dict[str, Any] = {"status": "active", "scope": "local", "location_type": "physical",
                                    "country": "MX", "address_type": "physical"}  # fmt: skip
        return self._form(request, visitor, kind, defaults, {}, parent=parent)

    async def new_save(self, request: Request, visitor: Visitor) -> Response:
        kind = self._kind(request)
        parent = await self._parent(request, kind) if kind else None
        if kind is None or (kind.parents and parent is None):
            return self.desk.error(request, visitor, 404, "missing")
        return await self._save(request, visitor, kind, parent=parent)

    async def _save(
        self,
        request: Request,
        visitor: Visitor,
        kind: Kind,
        *,
        record_id: str | None = None,
        parent: tuple[str, str] | None = None,
    ) -> Response:
        """Check the submitted form; write it (a new record when ``record_id`` is None) or show
        it again with its errors."""
        parsed = self._parse(kind, visitor)
        if not parsed.ok:
            return self._form(
                request,
                visitor,
                kind,
                parsed.raw,
                parsed.errors,
                record_id=record_id,
                parent=parent,
                status=400,
            )
        back = await self._back(visitor)
        if back is None and parent is not None and parent[0] == "service_id":
            back = parent[1]
        saved = await asyncio.to_thread(
            lambda: save(
                self.desk.db,
                kind.name,
                record_id,
                parsed.values,
                actor=visitor.username,
                now=self.desk.now(),
                gazetteer=self.desk.gazetteer,
                parent=parent,
                back_to=back,
            )
        )
        return self._after(request, kind.name, saved)

    async def verify(self, request: Request, visitor: Visitor) -> Response:
        service_id = _valid_id(request.path_params.get("service_id"))
        done = service_id is not None and await asyncio.to_thread(
            lambda: verify(
                self.desk.db,
                str(service_id),
                actor=visitor.username,
                verifier=visitor.name or visitor.username,
                now=self.desk.now(),
                gazetteer=self.desk.gazetteer,
            )
        )
        if not done:
            return self.desk.error(request, visitor, 404, "missing")
        form = visitor.form
        if form is not None and form.get("from") == "stale":
            return RedirectResponse(href(request, "/registry/stale"), status_code=303)
        return self._to_service(request, str(service_id), "verified")

    async def publication(self, request: Request, visitor: Visitor) -> Response:
        service_id = _valid_id(request.path_params.get("service_id"))
        form = visitor.form
        status = form.get("publication_status") if form is not None else None
        if status not in ("draft", "published") or service_id is None:
            return self.desk.error(request, visitor, 404, "missing")
        done = await asyncio.to_thread(
            lambda: set_publication(
                self.desk.db,
                str(service_id),
                str(status),
                actor=visitor.username,
                gazetteer=self.desk.gazetteer,
            )
        )
        if not done:
            return self.desk.error(request, visitor, 404, "missing")
        return self._to_service(request, str(service_id), str(status))

    # -- helpers -------------------------------------------------------------------------------

    def _may_edit(self, visitor: Visitor) -> bool:
        return visitor.may(Role.COORDINATOR)

    def _kind(self, request: Request) -> Kind | None:
        return KINDS.get(str(request.path_params.get("kind", "")))

    async def _exists(self, kind: str, record_id: str) -> bool:
        return await asyncio.to_thread(exists, self.desk.db, kind, record_id)

    async def _parent(self, request: Request, kind: Kind) -> tuple[str, str] | None:
        """The first of the kind's parents named in the query (``?location=…``) that exists."""
        for column in kind.parents:
            name = column.removesuffix("_id")
            value = _valid_id(request.query_params.get(name))
            if value and await self._exists(name, value):
                return column, value
        return None

    async def _back(self, visitor: Visitor) -> str | None:
        form = visitor.form
        sent = form.get("service") if form is not None else None
        value = _valid_id(sent if isinstance(sent, str) else None)
        return value if value and await self._exists("service", value) else None

    def _parse(self, kind: Kind, visitor: Visitor) -> Parsed:
        form = visitor.form
        assert form is not None
        single = {k: v for k, v in form.items() if isinstance(v, str)}
        multi = {
            spec.name: [v for v in form.getlist(spec.name) if isinstance(v, str)] for spec in kind.fields
        }
        choices = {"categories": [term.code for term in self.taxonomy.terms]}
        return parse(kind, single, multi, choices)

    def _after(self, request: Request, kind: str, saved: Saved) -> Response:
        if kind == "organization":
            return RedirectResponse(
                href(request, f"/registry/organizations/{saved.record_id}") + "?done=saved", status_code=303
            )
        if saved.service_id:
            return self._to_service(request, saved.service_id, "saved")
        return RedirectResponse(href(request, "/registry/records"), status_code=303)

    def _to_service(self, request: Request, service_id: str, done: str) -> Response:
        return RedirectResponse(
            href(request, f"/registry/services/{service_id}") + "?done=" + done, status_code=303
        )

    def _message(self, visitor: Visitor, done: str) -> str:
        t = visitor.text
        return {
            "saved": t.gettext("Saved. The assistant uses it from its next referral."),
            "verified": t.gettext("Marked verified today."),
            "draft": t.gettext("Now a draft: the assistant no longer refers people to it."),
            "published": t.gettext("Published: the assistant refers people to it from now on."),
        }.get(done, "")

    def _category(self, visitor: Visitor, code: str) -> str:
        term = next((term for term in self.taxonomy.terms if term.code == code), None)
        if term is None:
            return code
        return term.names.get(visitor.language) or term.names.get("es") or code

    def _choices(self, visitor: Visitor, spec: FormField) -> list[tuple[str, str]]:
        t = visitor.text
        if spec.name == "categories":
            return sorted(
                (
                    (term.code, f"{self._category(visitor, term.code)} ({term.code})")
                    for term in self.taxonomy.terms
                ),
                key=lambda pair: pair[0],
            )
        if spec.name == "populations":
            return [(code, population_label(t.catalog, code)) for code, _label in spec.choices]
        if spec.name == "state":
            out = []
            for code, _label in spec.choices:
                place = self.desk.gazetteer.state(code)
                out.append((code, place.name if place else code))
            return out
        return [(value, t.gettext(label)) for value, label in spec.choices]

    def _form(
        self,
        request: Request,
        visitor: Visitor,
        kind: Kind,
        values: dict[str, Any],
        errors: dict[str, Any],
        *,
        record_id: str | None = None,
        parent: tuple[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        t = visitor.text
        fields = [
            {
                "spec": spec,
                "label": t.gettext(spec.label),
                "hint": t.gettext(spec.hint) if spec.hint else "",
                "value": values.get(spec.name),
                "error": t.gettext(errors[spec.name].msgid, **dict(errors[spec.name].values))
                if spec.name in errors
                else "",
                "choices": self._choices(visitor, spec),
            }
            for spec in kind.fields
        ]
        back = _valid_id(request.query_params.get("service"))
        if back is None and visitor.form is not None:
            sent = visitor.form.get("service")
            back = _valid_id(sent if isinstance(sent, str) else None)
        if back is None and parent is not None and parent[0] == "service_id":
            back = parent[1]
        if record_id is not None:
            action = href(request, f"/registry/{kind.name}/{record_id}/edit")
            heading = t.gettext("Edit: {record}", record=t.gettext(kind.title))
        else:
            action = href(request, f"/registry/new/{kind.name}")
            if parent is not None:
                action += "?" + urlencode({parent[0].removesuffix("_id"): parent[1]})
            heading = t.gettext("New: {record}", record=t.gettext(kind.title))
        return self.desk.render(
            request,
            visitor,
            "registry_form.html",
            {
                "kind": kind,
                "fields": fields,
                "errors": bool(errors),
                "action": action,
                "heading": heading,
                "back": back,
            },
            status=status,
            title=heading,
        )
