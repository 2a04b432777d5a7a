"""The staff desk and coordinators' web app (Starlette + Jinja2, server-rendered, no JS build).

Mounted by the server at ``/desk``: ``Mount("/desk", app=create_desk_app(app))``. See
``docs/DESK.md`` for the pages, the roles and how to create the first account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desk.roles import Role

if TYPE_CHECKING:
    from desk.app import create_desk_app

__all__ = ["Role", "create_desk_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the command line (`brujula users`) needs the accounts, not the web app.
    if name == "create_desk_app":
        from desk.app import create_desk_app

        return create_desk_app
    raise AttributeError(name)
