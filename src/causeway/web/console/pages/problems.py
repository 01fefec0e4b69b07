"""Problems: every parked job by class, with filters, bulk replay, and a page per job to
edit and replay, resolve with a note, or assign (docs/console/problems.md).

Reads and acts through engine/problems.py and engine/problem_edits.py; an edited record
is checked by the job's flow (flows/base.py, event_validator). Viewers see the lists
and the records; the actions are operators' (the routes refuse a viewer with 403).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.durations import parse_duration
from causeway.engine.error_classes import CLASSES, LABELS
from causeway.engine.problem_edits import EditRefused, body_json, edit_and_replay, record_of
from causeway.engine.problems import NOBODY, Problem, ProblemActionError, ProblemFilter, Problems
from causeway.flows.base import event_validator
from causeway.hub import Hub
from causeway.web.console.rendering import error_page, pretty_json, render
from causeway.web.console.routing import action, actor, page

# The age filter's choices: (value, label).
AGES = (("", "any age"), ("1h", "over an hour"), ("1d", "over a day"), ("7d", "over a week"))
# What a job page says after an action (by key: no text from the request is shown back).
DONE = {
    "replayed": "Replayed: the job is back in the queue.",
    "edited": "Edit saved as a new record and the job replayed.",
    "resolved": "Resolved: the job will not run.",
    "assigned": "Assignment saved.",
}
LIST_LIMIT = 200


def _filter(request: Request) -> tuple[ProblemFilter, dict[str, str], str | None]:
    """The filter the query string asks for, the values to show in the form, and what
    was wrong with it (an unreadable age is left out, and said so)."""
    query = request.query_params
    values = {k: query.get(k, "").strip() for k in ("flow", "system", "class", "assignee", "age")}
    problem = None
    older_than = None
    if values["age"]:
        try:
            older_than = parse_duration(values["age"])
        except ValueError as exc:
            problem = f"age: {exc}"
            values["age"] = ""
    if values["class"] and values["class"] not in CLASSES:
        problem = f"no class {values['class']!r}"
        values["class"] = ""
    chosen = ProblemFilter(
        flow=values["flow"] or None,
        system=values["system"] or None,
        error_class=values["class"] or None,
        assignee=values["assignee"] or None,
        older_than=older_than,
    )
    return chosen, values, problem


def _list_context(hub: Hub, problems: Problems, request: Request) -> dict[str, Any]:
    chosen, values, problem = _filter(request)
    found = problems.parked(chosen, limit=LIST_LIMIT)
    counts = problems.counts(chosen)
    others = {k: v for k, v in values.items() if v and k != "class"}
    return {
        "problems": found,
        "total": problems.count(chosen),
        "limit": LIST_LIMIT,
        "counts": [
            {
                "name": name,
                "label": LABELS.get(name or "", "unclassified"),
                "count": counts[name],
                "href": "/console/problems?" + urlencode({**others, "class": name or ""}),
                "current": (name or "") == values["class"],
            }
            for name in [*CLASSES, None]
            if counts.get(name)
        ],
        "filters": values,
        "filter_problem": problem,
        "flows": sorted(set(problems.flows()) | set(hub.flows)),
        "systems": sorted(hub.config.systems),
        "classes": [(name, LABELS[name]) for name in CLASSES],
        "assignees": problems.assignees(),
        "ages": AGES,
        "nobody": NOBODY,
    }


def _job_context(hub: Hub, problem: Problem) -> dict[str, Any]:
    record = record_of(hub.jobs, problem.id)
    body = body_json(record) if record is not None else None
    original = None
    edited_from = problem.payload.get("edited_from")
    if isinstance(edited_from, int) and record is not None and edited_from != record.id:
        original = hub.inbox.get(edited_from)
    editable = (
        problem.state == "dead"
        and body is not None
        and event_validator(hub.flows.get(problem.flow)) is not None
    )
    return {
        "problem": problem,
        "record": record,
        "record_json": pretty_json(body) if body is not None else None,
        "original": original,
        "editable": editable,
        "edit_text": pretty_json(body) if body is not None else "",
        "edit_errors": [],
    }


def add_routes(app: FastAPI, hub: Hub) -> None:
    problems = Problems(hub.jobs)

    @app.get("/console/problems", **page(Permission.READ))
    def problem_list(request: Request) -> HTMLResponse:
        context = _list_context(hub, problems, request)
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "problem-list":
            return render(request, "_problem_list.html", context)
        return render(request, "problems.html", context)

    @app.post("/console/problems/replay", **action(Permission.OPERATE))
    def replay_selected(
        request: Request, job: Annotated[list[int] | None, Form()] = None
    ) -> HTMLResponse:
        chosen = job or []
        replayed = problems.replay(chosen, actor=actor(request)) if chosen else []
        context = _list_context(hub, problems, request)
        if not chosen:
            context["notice"] = "Select the jobs to replay first."
        else:
            skipped = len(chosen) - len(replayed)
            context["notice"] = f"Replayed {len(replayed)} job(s)." + (
                f" {skipped} were not parked any more and were left as they are." if skipped else ""
            )
        return render(request, "problems.html", context)

    @app.get("/console/problems/{job_id}", **page(Permission.READ, 404))
    def problem_page(request: Request, job_id: int, done: str | None = None) -> HTMLResponse:
        problem = problems.get(job_id)
        if problem is None:
            return error_page(request, 404, f"There is no job {job_id}.")
        context = _job_context(hub, problem)
        context["notice"] = DONE.get(done or "")
        return render(request, "problem.html", context)

    def _back(job_id: int, done: str) -> Response:
        return RedirectResponse(f"/console/problems/{job_id}?done={done}", status_code=303)

    def _refused(request: Request, job_id: int, message: str, **extra: Any) -> HTMLResponse:
        problem = problems.get(job_id)
        if problem is None:
            return error_page(request, 404, f"There is no job {job_id}.")
        context = {**_job_context(hub, problem), "refusal": message, **extra}
        return render(request, "problem.html", context, status_code=422)

    @app.post("/console/problems/{job_id}/replay", **action(Permission.OPERATE, 404))
    def replay_one(request: Request, job_id: int) -> Response:
        if not problems.replay([job_id], actor=actor(request)):
            return _refused(request, job_id, f"Job {job_id} is not parked: nothing replayed.")
        return _back(job_id, "replayed")

    @app.post("/console/problems/{job_id}/resolve", **action(Permission.OPERATE, 404))
    def resolve(request: Request, job_id: int, note: Annotated[str, Form()] = "") -> Response:
        try:
            problems.resolve(job_id, note, actor=actor(request))
        except ProblemActionError as exc:
            return _refused(request, job_id, str(exc))
        return _back(job_id, "resolved")

    @app.post("/console/problems/{job_id}/assign", **action(Permission.OPERATE, 404))
    def assign(request: Request, job_id: int, assignee: Annotated[str, Form()] = "") -> Response:
        try:
            problems.assign(job_id, assignee, actor=actor(request))
        except ProblemActionError as exc:
            return _refused(request, job_id, str(exc))
        return _back(job_id, "assigned")

    @app.post("/console/problems/{job_id}/edit", **action(Permission.OPERATE, 404))
    def edit(request: Request, job_id: int, body: Annotated[str, Form()] = "") -> Response:
        problem = problems.get(job_id)
        if problem is None:
            return error_page(request, 404, f"There is no job {job_id}.")
        validate = event_validator(hub.flows.get(problem.flow))
        if validate is None:
            return _refused(
                request,
                job_id,
                f"{problem.flow} cannot check an edited record here: fix the cause in the "
                "source system and replay, or resolve the job.",
            )
        try:
            edit_and_replay(hub.jobs, job_id, body, validate=validate, actor=actor(request))
        except EditRefused as refused:
            return _refused(
                request,
                job_id,
                "The edit was refused; nothing changed.",
                edit_errors=refused.errors,
                edit_text=body,
            )
        return _back(job_id, "edited")
