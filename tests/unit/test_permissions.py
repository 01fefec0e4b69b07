"""The permission model: scopes and roles on one ladder (read < run < admin), and what
each grants."""

from __future__ import annotations

import pytest

from causeway.access.permissions import (
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
    assert SCOPES["read"] < SCOPES["run"] < SCOPES["admin"] == frozenset(Permission)


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
