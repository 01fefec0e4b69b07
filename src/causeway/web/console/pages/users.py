"""/console/users: who logs in to the console, for admins. Add a person with a role and
an initial password, change a role, disable or enable a login. Every change goes
through engine/users.py, which audits it (never a password) and ends the sessions of a
person whose role changes or who is disabled."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from causeway.access.permissions import ROLES, Permission
from causeway.engine import users
from causeway.hub import Hub
from causeway.web.console.rendering import render
from causeway.web.console.routing import action, actor, page

USERS = "/console/users"
# What a change did, shown after it (a fixed set: never text taken from the request).
DONE = {
    "added": "can now sign in",
    "role": "has a new role; their open sessions have ended",
    "disabled": "can no longer sign in; their open sessions have ended",
    "enabled": "can sign in again",
    "unchanged": "nothing changed",
}
Email = Annotated[str, Form(max_length=320)]


def back(who: str, done: str) -> RedirectResponse:
    """After a change, the list again as a GET: reloading it never repeats the change."""
    return RedirectResponse(f"{USERS}?{urlencode({'done': done, 'who': who})}", status_code=303)


def add_routes(app: FastAPI, hub: Hub) -> None:
    def users_page(
        request: Request,
        *,
        error: str | None = None,
        status_code: int = 200,
        form: dict[str, str] | None = None,
    ) -> HTMLResponse:
        done = request.query_params.get("done")
        who = request.query_params.get("who", "")
        return render(
            request,
            "users.html",
            {
                "people": users.list_users(hub.store),
                "roles": list(ROLES),
                "error": error,
                "done": f"{who} {DONE[done]}" if done in DONE and who else None,
                "form": form or {},
                "min_password": users.MIN_PASSWORD,
            },
            status_code=status_code,
        )

    @app.get(USERS, **page(Permission.ADMINISTER))
    def list_people(request: Request) -> HTMLResponse:
        return users_page(request)

    @app.post(USERS, **action(Permission.ADMINISTER, 400))
    async def add_person(
        request: Request,
        email: Email = "",
        role: Annotated[str, Form(max_length=16)] = "",
        password: Annotated[str, Form(max_length=4096)] = "",
    ) -> Response:
        try:
            user = await run_in_threadpool(
                users.add, hub.store, email, role, password, actor=actor(request)
            )
        except users.UserError as exc:
            form = {"email": email, "role": role}
            return users_page(request, error=str(exc), status_code=400, form=form)
        return back(user.email, "added")

    @app.post(f"{USERS}/role", **action(Permission.ADMINISTER, 400))
    def change_role(
        request: Request, email: Email = "", role: Annotated[str, Form(max_length=16)] = ""
    ) -> Response:
        try:
            user, changed = users.set_role(hub.store, email, role, actor=actor(request))
        except users.UserError as exc:
            return users_page(request, error=str(exc), status_code=400)
        return back(user.email, "role" if changed else "unchanged")

    @app.post(f"{USERS}/disable", **action(Permission.ADMINISTER, 400))
    def disable(request: Request, email: Email = "") -> Response:
        try:
            user, changed = users.disable(hub.store, email, actor=actor(request))
        except users.UserError as exc:
            return users_page(request, error=str(exc), status_code=400)
        return back(user.email, "disabled" if changed else "unchanged")

    @app.post(f"{USERS}/enable", **action(Permission.ADMINISTER, 400))
    def enable(request: Request, email: Email = "") -> Response:
        try:
            user, changed = users.enable(hub.store, email, actor=actor(request))
        except users.UserError as exc:
            return users_page(request, error=str(exc), status_code=400)
        return back(user.email, "enabled" if changed else "unchanged")
