"""The Notifications page (/console/notifications), for operators: the e-mail outbox
(latest e-mails, their state, tries and last error, filtered by state; each one's preview;
retry a failed one), a preview of every order e-mail per language with sample data, a test
e-mail to an address (sent at once, so the SMTP settings are checked while you wait;
audited), and the suppressed addresses (add, remove).

A preview's HTML is shown in an iframe with `sandbox` and `srcdoc`: no script of an
e-mail runs, and it cannot reach the console's cookies."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import mail_outbox
from causeway.engine.mail_outbox import OutboxMail
from causeway.hub import Hub
from causeway.notifications.addresses import normalised, problem_with
from causeway.notifications.events import EVENTS
from causeway.notifications.sender import build_message, describe, send_now
from causeway.notifications.templates import languages, render_event, sample_event
from causeway.web.console.rendering import render
from causeway.web.console.routing import action, actor, page

PATH = "/console/notifications"
SHOWN = 100
MAX_PASTED = 1000  # addresses pasted into the form at once (the API takes 10,000)
DONE = {
    "retried": "The e-mail is due again: the sender takes it within seconds.",
    "not-failed": "Only a failed e-mail can be retried; this one is not failed.",
    "unsuppressed": "The address gets e-mails again.",
    "not-suppressed": "That address was not suppressed.",
}


# The preview frame's: inline styles (every e-mail has them), images from anywhere
# https (a logo), no script, no request, sandboxed, framed by the console only.
MAIL_PREVIEW_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src https: data:; frame-ancestors 'self'; sandbox",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    settings = hub.config.notifications

    def notifications_page(
        request: Request,
        *,
        state: str = "",
        mail_id: int | None = None,
        preview: tuple[str, str] | None = None,
        notice: str | None = None,
        error: str | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        shown = state if state in mail_outbox.STATES else ""
        selected: OutboxMail | None = None
        if mail_id is not None:
            selected = mail_outbox.get(hub.store, mail_id)
            if selected is None:
                raise HTTPException(404, f"no e-mail {mail_id} in the outbox")
        sample: dict[str, Any] | None = None
        if preview is not None:
            rendered = render_event(settings, sample_event(*preview))
            sample = {"event": preview[0], "language": preview[1], "mail": rendered}
        return render(
            request,
            "notifications.html",
            {
                "settings": settings,
                "counts": mail_outbox.counts(hub.store),
                "state": shown,
                "mails": mail_outbox.latest(hub.store, state=shown or None, limit=SHOWN),
                "selected": selected,
                "sample": sample,
                "events": EVENTS,
                "languages": languages(settings),
                "suppressions": mail_outbox.suppressions(hub.store),
                "notice": notice,
                "error": error,
                "form": form or {},
            },
            status_code=status_code,
        )

    def back(said: str, **query: Any) -> Response:
        return RedirectResponse(f"{PATH}?{urlencode({'said': said, **query})}", status_code=303)

    @app.get(PATH, **page(Permission.OPERATE, 404))
    def outbox_page(
        request: Request,
        state: str = "",
        mail_id: int | None = None,
        event: str = "",
        language: str = "",
        said: str = "",
    ) -> HTMLResponse:
        preview = None
        if event:
            if event not in EVENTS:
                raise HTTPException(404, f"no order event {event!r}; known: {', '.join(EVENTS)}")
            preview = (event, language or settings.language)
        return notifications_page(
            request, state=state, mail_id=mail_id, preview=preview, notice=DONE.get(said)
        )

    @app.get(PATH + "/preview.html", **page(Permission.OPERATE, 404))
    def html_preview(
        request: Request, mail_id: int | None = None, event: str = "", language: str = ""
    ) -> HTMLResponse:
        """An e-mail's HTML alone, for the page's preview frame: with a policy of its own
        (the e-mail's inline styles apply, nothing in it runs or fetches but images), and
        framed only by the console itself."""
        if mail_id is not None:
            mail = mail_outbox.get(hub.store, mail_id)
            if mail is None or not mail.html_body:
                raise HTTPException(404, f"no HTML e-mail {mail_id} in the outbox")
            html = mail.html_body
        elif event in EVENTS:
            html = render_event(settings, sample_event(event, language or settings.language)).html
        else:
            raise HTTPException(404, f"no order event {event!r}; known: {', '.join(EVENTS)}")
        return HTMLResponse(html or "", headers=MAIL_PREVIEW_HEADERS)

    @app.post(PATH + "/{mail_id}/retry", **action(Permission.OPERATE, 404))
    def retry(request: Request, mail_id: int) -> Response:
        if mail_outbox.get(hub.store, mail_id) is None:
            raise HTTPException(404, f"no e-mail {mail_id} in the outbox")
        done = mail_outbox.retry(hub.store, mail_id, actor=actor(request))
        return back("retried" if done else "not-failed", mail_id=mail_id)

    @app.post(PATH + "/test", **action(Permission.OPERATE, 400))
    async def send_test(
        request: Request,
        address: Annotated[str, Form(max_length=320)] = "",
        event: Annotated[str, Form(max_length=32)] = "confirmed",
        language: Annotated[str, Form(max_length=16)] = "",
    ) -> Response:
        form = {"address": address, "event": event, "language": language}
        to = normalised(address)
        problem = problem_with(to) or (None if event in EVENTS else "unknown event")
        if problem:
            return notifications_page(
                request, error=f"No test e-mail sent: {address!r}: {problem}.", form=form,
                status_code=400,
            )  # fmt: skip
        rendered = render_event(settings, sample_event(event, language or settings.language))
        test = OutboxMail(
            id=0, dedupe_key=f"test:{to}:{event}", event=event, recipient=to,
            subject="[test] " + rendered.subject, text_body=rendered.text,
            html_body=rendered.html, state="pending", attempts=0, next_attempt_at=0,
            last_error=None, created_at=0, sent_at=None, channel=None, order_key=None,
            language=rendered.language,
        )  # fmt: skip
        failure: str | None = None
        try:
            await run_in_threadpool(send_now, settings, build_message(settings, test))
        except Exception as exc:  # what the server said, shown to the operator
            failure = hub.redact(describe(exc))
        who = actor(request)
        await run_in_threadpool(
            mail_outbox.record_test_email, hub.store, actor=who, address=to, event=event,
            language=rendered.language, error=failure,
        )  # fmt: skip
        if failure:
            server = f"{settings.smtp.host}:{settings.smtp.port}"
            return notifications_page(
                request, error=f"The test e-mail to {to} was not sent by {server}: {failure}",
                form=form, status_code=400,
            )  # fmt: skip
        return notifications_page(
            request, notice=f"Test e-mail ({event}, {rendered.language}) sent to {to}.", form=form
        )

    @app.post(PATH + "/suppressions", **action(Permission.OPERATE, 400))
    def suppress(
        request: Request,
        addresses: Annotated[str, Form(max_length=64_000)] = "",
        reason: Annotated[str, Form(max_length=16)] = "manual",
    ) -> Response:
        wanted = [normalised(a) for a in addresses.replace(",", "\n").splitlines() if a.strip()]
        bad = [f"{a[:80]!r}: {p}" for a in wanted if (p := problem_with(a))]
        if reason not in mail_outbox.SUPPRESSION_REASONS:
            bad.insert(0, f"reason must be bounce, complaint or manual, not {reason[:20]!r}")
        if not wanted:
            bad.append("give at least one address")
        if len(wanted) > MAX_PASTED:
            bad.append(f"at most {MAX_PASTED} at once here (the API takes 10,000)")
        if bad:
            return notifications_page(
                request, error="Nothing suppressed: " + "; ".join(bad[:20]),
                form={"addresses": addresses, "reason": reason}, status_code=400,
            )  # fmt: skip
        added, stopped = mail_outbox.suppress(hub.store, wanted, reason, actor=actor(request))
        return notifications_page(
            request,
            notice=f"Suppressed {added} address(es); {stopped} waiting e-mail(s) will not be sent.",
        )

    @app.post(PATH + "/unsuppress", **action(Permission.OPERATE))
    def unsuppress(
        request: Request, address: Annotated[str, Form(max_length=320)] = ""
    ) -> Response:
        gone = mail_outbox.unsuppress(hub.store, address, actor=actor(request))
        return back("unsuppressed" if gone else "not-suppressed")
