"""The permission model: scopes and roles on one ladder (read < run < admin), and what
each grants."""

from __future__ import annotations

import pytest

from causeway.access.permissions import (
    PORTAL_ROLES,
    ROLES,
    SCOPES,
    Permission,
    Principal,
    PrincipalKind,
    UnknownScopeError,
    check_scope,
)


def test_each_scope_grants_what_the_ones_below_it_grant_and_one_more() -> None:
    read, run, admin = (Principal.api_key("k", scope) for scope in ("read", "run", "admin"))
    assert [p.may(Permission.READ) for p in (read, run, admin)] == [True, True, True]
    assert [p.may(Permission.OPERATE) for p in (read, run, admin)] == [False, True, True]
    assert [p.may(Permission.ADMINISTER) for p in (read, run, admin)] == [False, False, True]
    hubs_own = frozenset(Permission) - {
        Permission.SHOP,
        Permission.APPROVE,
        Permission.MANAGE_COMPANY,
    }
    assert SCOPES["read"] < SCOPES["run"] < SCOPES["admin"] == hubs_own


def test_portal_roles_grant_nothing_of_the_hub_and_keys_nothing_of_the_portal() -> None:
    buyer, approver, admin = (
        Principal.customer("b@acme.example", role, user_id=1, company_id=1)
        for role in ("buyer", "approver", "admin")
    )
    assert [p.may(Permission.SHOP) for p in (buyer, approver, admin)] == [True, True, True]
    assert [p.may(Permission.APPROVE) for p in (buyer, approver, admin)] == [False, True, True]
    assert [p.may(Permission.MANAGE_COMPANY) for p in (buyer, approver, admin)] == [
        False,
        False,
        True,
    ]
    for customer in (buyer, approver, admin):
        assert not any(customer.may(p) for p in SCOPES["admin"])
    for scope in SCOPES.values():
        assert not scope & PORTAL_ROLES["admin"]


def test_console_roles_are_the_same_ladder_under_the_names_people_use() -> None:
    assert ROLES["viewer"] == SCOPES["read"]
    assert ROLES["operator"] == SCOPES["run"]
    assert ROLES["admin"] == SCOPES["admin"]
    person = Principal.person("ada", "operator")
    assert person.kind is PrincipalKind.PERSON and person.may(Permission.OPERATE)
    assert not person.may(Permission.ADMINISTER)


def test_an_unknown_scope_or_role_is_refused_naming_the_ones_that_exist() -> None:
    assert check_scope("run") == "run"
    with pytest.raises(UnknownScopeError, match="unknown scope 'root': use read, run or admin"):
        check_scope("root")
    with pytest.raises(UnknownScopeError, match="use viewer, operator or admin"):
        Principal.person("ada", "owner")


def test_a_refusal_names_the_key_and_its_scope() -> None:
    assert Principal.api_key("grafana", "read").describe() == "API key 'grafana' (scope read)"
