"""Tenant isolation, tested like an attacker: people of Acme (company A) walk every portal
route with ids, numbers and references of Birch Supplies (company B), and with hostile
values, in paths, queries and forms. Every one of B's ids answers 404 (a form field: a
refusal), exactly as an id that does not exist; no answer ever shows B's name, e-mails,
sale or invoice numbers, addresses or prices; nothing of B's changes; the session still
acts for A. Against the real Tryton (B's sale, shipment, invoice and address made there
over RPC) and the hub's own records (B's checkouts, carts and members).

The routes are read from the app (tests/portal/attack.py), so a route added later is
attacked too, and one with a parameter the registry does not know fails the test.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI, Form
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from causeway.access.permissions import PORTAL_ROLES, Permission
from causeway.access.portal_sessions import COOKIE, portal_policy
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import portal_sessions
from causeway.engine.portal_accounts import Membership
from causeway.engine.schema import (
    portal_cart_lines,
    portal_checkouts,
    portal_companies,
    portal_members,
)
from causeway.hub import Hub
from causeway.web.access import protected
from causeway.web.app import create_app
from causeway_sandbox.tryton.server import TrytonServer
from tests.portal.attack import (
    FIELDS,
    FRESH,
    HOSTILE,
    PATH_PARAMETERS,
    Kind,
    Param,
    PortalRoute,
    disguises,
    header_problems,
    portal_routes,
    unknown_parameters,
)
from tests.portal.conftest import add_member, portal_hub
from tests.portal.rivals import ACME, BIRCH, Side, erp_records, hub_records, make_side, price_lists
from tests.tryton_fixtures import connect, own_tryton
from tests.unit.hub_configs import systems

pytestmark = pytest.mark.tryton

tryton_server = own_tryton("tryton-isolation")
NOBODYS = "987654321"  # an id no record has
PEOPLE = ("buyer", "approver", "admin", "both", "anonymous")  # "both": of A and of B


@dataclass
class World:
    hub: Hub
    client: TestClient
    ours: Side  # Acme: the attackers' company
    theirs: Side  # Birch: the victim
    people: dict[str, Membership]
    routes: list[PortalRoute]
    tryton: TrytonConnector

    def ours_all(self, concept: str) -> set[str]:
        return set(self.ours.values.get(concept, [])) | self.ours.taken.get(concept, set())

    def theirs_only(self, concept: str, who: str) -> list[str]:
        """B's values of this concept that are not also A's (a person of both companies
        has one user id in each), nor `who`'s own: the person of both may switch to B."""
        ours = self.ours_all(concept)
        if who == "both" and concept == "company":
            return []
        return [v for v in self.theirs.values.get(concept, []) if v not in ours]


@pytest.fixture(scope="module")
def world(tryton_server: TrytonServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("isolation")
    erp = {"type": "tryton", "url": tryton_server.url, "database": tryton_server.database,
           "username": tryton_server.username, "password": tryton_server.password}  # fmt: skip
    hub = portal_hub(
        workdir,
        systems={**systems(workdir), "erp": erp},
        portal={"enabled": True, "erp": "erp", "reference_prefix": "iso-"},
    )
    tryton = connect(tryton_server)
    unique = uuid.uuid4().hex[:5]
    acme, birch = make_side(hub, tryton, ACME, "A"), make_side(hub, tryton, BIRCH, "B")
    both = add_member(hub, acme.company, "both@two-iso.example", "buyer")
    add_member(hub, birch.company, both.email, "admin")
    for side, letter in ((acme, "A"), (birch, "B")):
        erp_records(tryton, side, letter, unique)
        hub_records(hub, side, letter, unique)
    price_lists(tryton, [acme, birch])
    app = create_app(hub)
    # A 500 is an answer to check (and name the route of), not an exception in the test.
    client = TestClient(
        app, base_url="https://localhost", follow_redirects=False, raise_server_exceptions=False
    )
    people = {**{r: m for r, m in acme.members.items() if r != "spare"}, "both": both}
    try:
        yield World(hub, client, acme, birch, people, portal_routes(app), tryton)
    finally:
        tryton.close()


# -- one request and what it must answer ------------------------------------------------
@dataclass
class Attempt:
    route: PortalRoute
    who: str
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    attacked: list[str] = field(default_factory=list)  # what is B's or hostile, for messages
    refused_in_path: bool = False  # B's or a hostile value in the path: 404
    refused_in_field: bool = False  # ... in a query or form field naming a record: a 4xx
    bogus_token: bool = False  # an unknown e-mail token: never a session

    def url(self) -> str:
        path = self.route.path
        for name, value in self.path.items():
            segment = quote(value, safe="").replace(".", "%2E")  # no dot segments
            path = re.sub(r"\{" + name + r"(:[^}]*)?\}", segment, path)
        return path


def plausible(world: World, route: PortalRoute, who: str) -> Attempt:
    """The request a page of A would send: A's own ids, sensible text."""
    attempt = Attempt(route, who)
    for name in route.path_params:
        param = PATH_PARAMETERS[name]
        own = world.ours.values.get(param.concept) if param.kind is Kind.OWNED else None
        attempt.path[name] = own[0] if own else param.plausible[0]
        attempt.bogus_token |= param.kind is Kind.SECRET
    for target, fields in ((attempt.query, route.query), (attempt.form, route.form)):
        for name, _ in fields:
            param = FIELDS[name]
            own = world.ours.values.get(param.concept) if param.kind is Kind.OWNED else None
            target[name] = own[0] if own else param.plausible[0]
            if target[name] == FRESH:
                target[name] = uuid.uuid4().hex
            attempt.bogus_token |= param.kind is Kind.SECRET
    return attempt


def attack(attempt: Attempt, where: str, name: str, value: str, what: str) -> Attempt:
    """The attempt with one parameter set to a value of B's or a hostile one: refused
    (404 in a path, a 4xx in a field naming a record); an unknown e-mail token opens
    no session."""
    param = (PATH_PARAMETERS if where == "path" else FIELDS)[name]
    getattr(attempt, where)[name] = value
    if param.kind is Kind.SECRET:
        attempt.bogus_token = True
    elif where == "path":
        attempt.refused_in_path = True
    else:
        attempt.refused_in_field |= param.kind is Kind.OWNED
    attempt.attacked.append(f"{where} {name}={value[:40]!r} ({what})")
    return attempt


def merely(attempt: Attempt, where: str, name: str, value: str, what: str) -> Attempt:
    """The attempt with a value that may be fine (A's own, a real SKU): only checked for
    what every answer must be (no 500, nothing of B's)."""
    getattr(attempt, where)[name] = value
    attempt.attacked.append(f"{where} {name}={value[:40]!r} ({what})")
    return attempt


def denotes(value: str, ids: list[str]) -> bool:
    """Whether a parser could read `value` as one of these ids (" 12", "+12", "١٢")."""
    try:
        return value.strip() in ids or str(int(value)) in ids
    except ValueError:
        return False


def send(world: World, attempt: Attempt, *, htmx: bool = False) -> tuple[httpx.Response, str]:
    """Send it with a new session of `attempt.who` (an action such as signing out
    must not spoil the next attempt); the response and the session's token."""
    world.client.cookies.clear()
    token = ""
    form = dict(attempt.form)
    if attempt.who != "anonymous":
        member = world.people[attempt.who]
        policy = portal_policy(world.hub.config.portal)
        token = portal_sessions.start(world.hub.store, member.user_id, member.company_id, policy)
        world.client.cookies.set(COOKIE, token)
        session = portal_sessions.find(world.hub.store, token, policy)
        assert session is not None, f"{attempt.who} of Acme lost their membership to an attempt"
        form["csrf_token"] = session.csrf_token
    headers = {"HX-Request": "true"} if htmx else {}
    method = attempt.route.method
    if method in ("GET", "DELETE"):
        response = world.client.request(
            method, attempt.url(), params=attempt.query, headers=headers
        )
    else:
        response = world.client.request(
            method, attempt.url(), params=attempt.query, data=form, headers=headers
        )
    return response, token


def leaks(world: World, who: str, response: httpx.Response) -> list[str]:
    """B's strings and prices found in the answer (body and headers)."""
    allowed = {BIRCH, world.people["both"].email} if who == "both" else set()
    seen = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    found = [s for s in world.theirs.secrets - allowed if s and s.lower() in seen.lower()]
    for price in sorted(world.theirs.prices - world.ours.prices):
        for shown in {f"{price:,.2f}", f"{price:.2f}"}:
            if re.search(r"(?<![\d.,])" + re.escape(shown) + r"(?![\d])", seen):
                found.append(f"B's price {shown}")
    return found


def check(world: World, attempt: Attempt, response: httpx.Response, token: str) -> None:
    route, status = attempt.route, response.status_code
    where = (
        f"{attempt.who} of Acme: {route.method} {attempt.url()} "
        f"[{'; '.join(attempt.attacked) or 'plausible values'}] answered {status}: "
        f"{response.text[:300]!r}"
    )
    assert status < 500, where
    assert not leaks(world, attempt.who, response), (
        f"{where}\nshows B's {leaks(world, attempt.who, response)}"
    )
    assert not header_problems(attempt.url(), response), (
        where,
        header_problems(attempt.url(), response),
    )
    role = "buyer" if attempt.who == "both" else attempt.who
    if attempt.who == "anonymous" and (route.permission is not None or attempt.refused_in_path):
        # Nobody signed in: to the login page (htmx: told where), whatever the ids; a
        # path that is no route at all is the same (the guard cannot tell it is public).
        to_login = response.headers.get("location") or response.headers.get("hx-redirect") or ""
        if route.method == "GET":
            assert (status in (303, 401) and to_login.startswith("/portal/login")) or (
                attempt.refused_in_path and status == 404
            ), where
        else:
            assert status == 401 or (attempt.refused_in_path and status == 404), where
    elif route.permission is not None and route.permission not in PORTAL_ROLES[role]:
        assert status == 403, where  # the guard's answer, the same whatever the ids
    elif attempt.refused_in_path:
        assert status == 404, where
    elif attempt.refused_in_field:
        assert 400 <= status < 500, where
    if attempt.bogus_token:
        assert not re.search(COOKIE + r"=[^;]+", response.headers.get("set-cookie", "")), where
    if token:  # still acting for A (a session may have ended: signing out)
        session = portal_sessions.find(
            world.hub.store, token, portal_policy(world.hub.config.portal)
        )
        allowed = {world.ours.company.id}
        if attempt.who == "both":  # a member of B too: switching there is theirs to do
            allowed.add(world.theirs.company.id)
        assert session is None or session.company_id in allowed, where


def normalized(response: httpx.Response, *values: str) -> tuple[int, str]:
    body = re.sub(r'(name="csrf_token" value=|"X-CSRF-Token": )"[^"]*"', "<csrf>", response.text)
    for value in values:  # the id itself, not the same digits inside "utf-8" or "404"
        for shown in {value, quote(value, safe="")}:
            body = re.sub(r"(?<![\w-])" + re.escape(shown) + r"(?!\w)", "<id>", body)
    return response.status_code, body


# -- B as it was ------------------------------------------------------------------------
def snapshot(world: World) -> dict[str, Any]:
    """Everything of B's an attack could change, in the hub and in Tryton."""
    b = world.theirs.company.id
    tables = {
        "company": (portal_companies, portal_companies.c.id),
        "members": (portal_members, portal_members.c.company_id),
        "carts": (portal_cart_lines, portal_cart_lines.c.company_id),
        "checkouts": (portal_checkouts, portal_checkouts.c.company_id),
    }
    found: dict[str, Any] = {}
    with world.hub.store.read() as conn:
        for key, (table, column) in tables.items():
            found[key] = [tuple(r) for r in conn.execute(select(table).where(column == b))]
        addresses = [int(a) for a in world.theirs.values["address"]]
        found["our checkouts to B's addresses"] = conn.execute(
            select(portal_checkouts.c.id).where(portal_checkouts.c.shipment_address_id.in_(addresses))
            .where(portal_checkouts.c.company_id != b)
        ).all()  # fmt: skip
    rpc = world.tryton.rpc
    party = world.theirs.party_id
    found["addresses"] = rpc.search_read(
        "party.address", [("party", "=", party)], ["street", "active", "delivery"],
        context={**rpc.context, "active_test": False},
    )  # fmt: skip
    found["sales"] = rpc.search_read(
        "sale.sale", [("party", "=", party)], ["state", "total_amount"]
    )
    found["invoices"] = rpc.search_read("account.invoice", [("party", "=", party)], ["state"])
    found["sales to B's addresses"] = rpc.search_read(
        "sale.sale", [("shipment_address", "in", addresses), ("party", "!=", party)], ["id"]
    )
    return found


# -- the tests --------------------------------------------------------------------------
def test_the_registry_knows_every_parameter_of_every_portal_route(world: World) -> None:
    assert world.routes, "no portal route found"
    assert unknown_parameters(world.routes) == []


def test_a_parameter_the_registry_does_not_know_fails_with_its_route_named(world: World) -> None:
    app = FastAPI()

    @app.post("/portal/widgets/{gizmo_id}", **protected(Permission.SHOP))
    def gizmo(gizmo_id: int, colour: str = Form("")) -> None: ...

    problems = unknown_parameters(portal_routes(app))
    assert problems[0].startswith(
        "route POST /portal/widgets/{gizmo_id} has parameter gizmo_id the isolation test "
        "does not know: add it to the registry"
    )
    assert "form field colour" in problems[1]


def test_every_route_refuses_every_id_of_the_other_company(world: World) -> None:
    """Every route, every person of A, every parameter naming a record, every one of B's
    values: refused, and a path id of B's answers exactly as an id nobody has."""
    before = snapshot(world)
    attacked = 0
    for route in world.routes:
        for who in PEOPLE:
            attack_free = plausible(world, route, who)
            check(world, attack_free, *send(world, attack_free))
            for where, name in route.owned():
                table = PATH_PARAMETERS if where == "path" else FIELDS
                for value in world.theirs_only(table[name].concept, who):
                    attempt = attack(plausible(world, route, who), where, name, value, "B's")
                    response, token = send(world, attempt)
                    check(world, attempt, response, token)
                    attacked += 1
                    if where == "path":
                        nobody = attack(
                            plausible(world, route, who), where, name, NOBODYS, "nobody's"
                        )
                        other, _ = send(world, nobody)
                        ids = (value, NOBODYS)
                        assert normalized(response, *ids) == normalized(other, *ids), (
                            f"{route} tells B's {name} {value} from an id nobody has"
                        )
    assert snapshot(world) == before, "an attack changed B's records"
    print(f"{len(world.routes)} routes, {attacked} attacks with B's values")


def test_hostile_values_in_fields_naming_a_record_are_refused(world: World) -> None:
    for route in world.routes:
        for where, name in route.owned():
            if where == "path":
                continue  # the next test's
            for value in HOSTILE:
                attempt = attack(plausible(world, route, "admin"), where, name, value, "hostile")
                check(world, attempt, *send(world, attempt))


def test_hostile_values_in_paths_are_404_and_never_a_500(world: World) -> None:
    for route in world.routes:
        for name in route.path_params:
            param = PATH_PARAMETERS[name]
            theirs = world.theirs_only(param.concept, "admin") if param.kind is Kind.OWNED else []
            hostile = [v for v in HOSTILE if v not in param.plausible]  # image 0 is real
            values = [*hostile, *(d for v in theirs for d in disguises(v))]
            for value in values:
                attempt = attack(plausible(world, route, "admin"), "path", name, value, "hostile")
                check(world, attempt, *send(world, attempt))
            if param.kind is Kind.SHARED:  # the real ones open for every company
                for value in param.plausible:
                    attempt = merely(plausible(world, route, "admin"), "path", name, value, "real")
                    check(world, attempt, *send(world, attempt))


def _value(world: World, draw: Any, param: Param, who: str) -> tuple[str, str]:
    """A value for one parameter, and what it is: A's, B's, hostile, plausible, random."""
    choices: list[tuple[str, str]] = [(v, "hostile") for v in HOSTILE if v not in param.plausible]
    if param.kind is Kind.OWNED:
        theirs = world.theirs_only(param.concept, who)
        choices += [(v, "B's") for v in theirs] + [(d, "B's") for v in theirs for d in disguises(v)]
        choices += [(v, "A's") for v in world.ours.values.get(param.concept, [])]
    else:
        choices += [(v, "plausible") for v in param.plausible]
    randoms = st.text(min_size=1, max_size=30).map(lambda t: (t, "random"))
    value, what = draw(st.sampled_from(choices) | randoms)
    # A random id that is one of A's people could remove them (and spoil what follows).
    assume(what != "random" or not denotes(value, sorted(world.ours_all(param.concept))))
    return value, what


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_mix_of_values_never_opens_the_other_company(world: World, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(world.routes), label="route")
    who = data.draw(st.sampled_from(PEOPLE), label="who")
    attempt = plausible(world, route, who)
    places = [("path", n, PATH_PARAMETERS[n]) for n in route.path_params]
    places += [("query", n, FIELDS[n]) for n, _ in route.query]
    places += [("form", n, FIELDS[n]) for n, _ in route.form]
    for where, name, param in places:
        if not data.draw(st.booleans()):
            continue  # this one keeps its plausible value
        value, what = _value(world, data.draw, param, who)
        refused = what in ("B's", "hostile") or (what == "random" and where == "path")
        if param.kind is not Kind.OWNED and where != "path":
            refused = param.kind is Kind.SECRET  # text a person types: only "safe"
        if param.kind is Kind.SHARED and what == "random":
            refused = False  # a random SKU may be a real one
        (attack if refused else merely)(attempt, where, name, value, what)
    response, token = send(world, attempt, htmx=data.draw(st.booleans(), label="htmx"))
    check(world, attempt, response, token)
