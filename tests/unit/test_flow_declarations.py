"""Every flow is declared once (flows/registry.py): its settings are its causeway.yaml key,
its roles are what the config checks, its topics start its jobs and its build makes it.
Each test runs over every declaration, so a new flow is checked the day it is listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest

from causeway.config.systems import is_of, types_of_kinds
from causeway.engine.inbox import InboxRecord
from causeway.errors import ConfigError
from causeway.flows.declaration import FlowDeclaration, Role
from causeway.flows.registry import FLOWS, declaration
from causeway.hub import Hub
from tests.unit.hub_configs import OF_KIND, hub_config

BY_NAME = pytest.mark.parametrize("declared", FLOWS, ids=[d.name for d in FLOWS])


def settings_naming(declared: FlowDeclaration[Any], **overrides: str) -> dict[str, Any]:
    """The flow's settings naming, for each role, a system of its first kind."""
    settings: dict[str, Any] = {}
    for role in declared.roles:
        system = overrides.get(role.key, OF_KIND[role.kinds[0]])
        if role.item is not None:  # a list of entries, each naming its system
            settings[role.key] = [{role.item: system}]
        else:
            settings[role.key] = [system] if role.many else system
    return settings


@pytest.fixture(scope="module", params=FLOWS, ids=[d.name for d in FLOWS])
def built(request: Any, tmp_path_factory: Any) -> Iterator[tuple[FlowDeclaration[Any], Hub]]:
    """A hub with the declared flow alone enabled (and what the config implies)."""
    declared = request.param
    folder = tmp_path_factory.mktemp(declared.name)
    hub = Hub(hub_config(folder, {declared.name: settings_naming(declared)}))
    yield declared, hub
    hub.stop()


def test_the_registry_lists_each_flow_once_and_finds_it_by_name() -> None:
    names = [d.name for d in FLOWS]
    assert len(names) == len(set(names))
    assert declaration("orders-to-erp") is FLOWS[0]
    with pytest.raises(KeyError, match="no flow named 'order-to-erp'"):
        declaration("order-to-erp")


@BY_NAME
def test_each_role_is_a_setting_naming_one_system_or_a_list_and_accepts_real_kinds(
    declared: FlowDeclaration[Any],
) -> None:
    assert declared.roles
    fields = declared.settings.model_fields
    for role in declared.roles:
        if role.item is None:
            assert fields[role.key].annotation == (list[str] if role.many else str), role
        assert types_of_kinds(role.kinds), role  # some system type is of each kind


@BY_NAME
def test_what_starts_a_flow_comes_from_one_of_its_roles(declared: FlowDeclaration[Any]) -> None:
    if declared.starts is None:
        return
    assert declared.starts.role in {role.key for role in declared.roles}
    topics = declared.starts.topics_for(declared.settings.model_validate(settings_naming(declared)))
    assert topics
    assert set(declared.starts.polled) <= set(topics)
    assert set(declared.starts.app_only) <= set(topics)


def test_the_yaml_key_reads_into_the_declared_settings_and_builds_the_flow(
    built: tuple[FlowDeclaration[Any], Hub],
) -> None:
    declared, hub = built
    assert isinstance(hub.config.flows.settings(declared.name), declared.settings)
    flow = hub.flows[declared.name]
    assert flow.name == declared.name
    assert flow.batch_size >= 1 and isinstance(flow.exclusive, bool)


def test_each_topic_from_a_system_of_the_starting_role_starts_one_job_of_the_flow(
    built: tuple[FlowDeclaration[Any], Hub],
) -> None:
    declared, hub = built
    if declared.starts is None:
        return
    enabled = hub.flows.enabled[declared.name]
    (system,) = enabled.sources
    other = next(s for s in hub.config.systems if s != system)
    for topic in enabled.topics:
        # A topic that starts it only with an entity's first record: as the inbox routes it.
        first = topic in declared.starts.first_only
        route = hub.flows.route_first if first else hub.flows.route
        record = InboxRecord(system, f"e-{topic}", topic, "order:7", b"{}")
        if first:  # never at any record: the inbox decides
            assert not [j for j in hub.flows.route(record, 1) if j.flow == declared.name]
        jobs = [job for job in route(record, 1) if job.flow == declared.name]
        assert len(jobs) == 1, topic
        if declared.starts.immediate:  # a trigger for a whole run, of no one entity
            assert jobs[0].payload == {"run": True} and jobs[0].run_at is not None
        else:
            assert jobs[0].ordering_key.endswith(":7"), jobs[0]
        stranger = InboxRecord(other, f"x-{topic}", topic, "order:7", b"{}")
        assert [j for j in route(stranger, 2) if j.flow == declared.name] == []
    internal = {*declared.starts.polled, *declared.starts.app_only}
    subscribed = set(hub.flows.webhook_topics(system))
    assert set(enabled.topics) - internal <= subscribed
    assert not internal & subscribed


def test_a_scheduled_run_queues_the_declared_job_or_only_releases_held_changes(
    built: tuple[FlowDeclaration[Any], Hub],
) -> None:
    declared, hub = built
    payload = hub.flows.enabled[declared.name].run_payload
    assert hub.run_flow(declared.name) == (0 if payload is None else 1)
    assert hub.jobs.counts().get((declared.name, "queued"), 0) == (0 if payload is None else 1)


ROLES = [(d, role) for d in FLOWS for role in d.roles]


@pytest.mark.parametrize(
    ("declared", "role"), ROLES, ids=[f"{d.name}.{role.key}" for d, role in ROLES]
)
def test_a_system_of_a_kind_the_role_does_not_take_is_refused_naming_the_key(
    tmp_path: Path, declared: FlowDeclaration[Any], role: Role
) -> None:
    wanted = " or ".join(types_of_kinds(role.kinds))
    systems = hub_config(tmp_path, {}).systems
    others = [name for name, system in systems.items() if not is_of(system, role.kinds)]
    assert others
    for other in others:
        flows = {declared.name: settings_naming(declared, **{role.key: other})}
        with pytest.raises(ConfigError) as refused:
            hub_config(tmp_path, flows)
        assert (
            f"flows.{declared.name}.{role.key}: system {other!r} is of type "
            f"{systems[other].type}, but this flow needs one of type {wanted}"
        ) in str(refused.value)
    flows = {declared.name: settings_naming(declared, **{role.key: "nosuch"})}
    with pytest.raises(ConfigError, match=rf"flows\.{declared.name}\.{role.key}: no system named"):
        hub_config(tmp_path, flows)


@BY_NAME
def test_a_misspelt_setting_is_refused_by_its_name(
    tmp_path: Path, declared: FlowDeclaration[Any]
) -> None:
    flows = {declared.name: settings_naming(declared) | {"schedul": "manual"}}
    with pytest.raises(ConfigError, match=rf"flows\.{declared.name}\.schedul: unknown key"):
        hub_config(tmp_path, flows)


def test_the_flows_section_has_exactly_the_declared_keys(tmp_path: Path) -> None:
    section = type(hub_config(tmp_path, {}).flows)
    keys = [field.alias for field in section.model_fields.values()]
    assert keys == [d.name for d in FLOWS]
    for d in FLOWS:
        field = section.model_fields[d.name.replace("-", "_")]
        assert get_args(field.annotation) == (d.settings, type(None))
    with pytest.raises(ConfigError, match=r"flows\.orders-to-erps: unknown key"):
        hub_config(tmp_path, {"orders-to-erps": {}})
