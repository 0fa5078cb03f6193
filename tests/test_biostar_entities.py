"""Entities of a BioStar server: one device, one sensor per access group, polling and faults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.divera_access.const import BIOSTAR_SCAN_INTERVAL, DOMAIN
from tests.conftest import biostar_data, biostar_unique_id, setup_entry
from tests.simulators.biostar import BiostarSimulator, start_simulator

pytestmark = pytest.mark.usefixtures("biostar_secrets_never_logged")


def group_entity_id(hass: HomeAssistant, entry: MockConfigEntry, group_id: int) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_access_group_{group_id}"
    )


def group_state(hass: HomeAssistant, entry: MockConfigEntry, group_id: int) -> tuple[str, dict]:
    entity_id = group_entity_id(hass, entry, group_id)
    assert entity_id is not None, f"no sensor for access group {group_id}"
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state, dict(state.attributes)


def group_entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    return {
        registry_entry.entity_id
        for registry_entry in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }


async def next_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the poll interval pass and wait until the poll has finished."""
    freezer.tick(BIOSTAR_SCAN_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_one_device_and_one_sensor_per_access_group(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await setup_entry(hass, biostar_entry)

    assert biostar_entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), biostar_entry.entry_id)
    assert len(devices) == 1
    device = devices[0]
    assert device.identifiers == {(DOMAIN, f"biostar_{biostar_entry.entry_id}")}
    assert device.manufacturer == "Suprema"
    assert device.model == "BioStar 2"
    assert device.name == "BioStar 127.0.0.1"

    registry_entries = er.async_entries_for_config_entry(er.async_get(hass), biostar_entry.entry_id)
    assert len(registry_entries) == 2
    assert {e.device_id for e in registry_entries} == {device.id}

    state, attributes = group_state(hass, biostar_entry, 1)
    assert state == "1"
    assert attributes["access_group_id"] == 1
    assert attributes["user_ids"] == [1750]
    assert attributes["user_group_ids"] == [10871]
    assert attributes["access_level_ids"] == [53]
    assert attributes["friendly_name"] == "BioStar 127.0.0.1 Wache Tor"
    assert attributes["unit_of_measurement"] == "users"

    state, attributes = group_state(hass, biostar_entry, 2)
    assert state == "0"
    assert attributes["access_group_id"] == 2
    assert attributes["user_ids"] == []
    assert attributes["user_group_ids"] == [10872]
    assert attributes["access_level_ids"] == [54]
    assert attributes["friendly_name"] == "BioStar 127.0.0.1 Fahrzeughalle"

    assert biostar_sim.login_count == 1
    assert [(r.method, r.path) for r in biostar_sim.requests[:2]] == [
        ("POST", "/api/login"),
        ("GET", "/api/access_groups"),
    ]
    assert {r.path for r in biostar_sim.requests[2:]} == {
        "/api/access_groups/1",
        "/api/access_groups/2",
    }
    assert all(r.method == "GET" for r in biostar_sim.requests[1:])


async def test_changes_on_the_server_show_at_the_next_poll(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, biostar_entry)
    biostar_sim.access_groups[1].users += [1751, 1752]
    biostar_sim.access_groups[1].user_groups = []
    biostar_sim.access_groups[2].access_levels = [53, 54]

    assert group_state(hass, biostar_entry, 1)[0] == "1"
    await next_poll(hass, freezer)

    state, attributes = group_state(hass, biostar_entry, 1)
    assert state == "3"
    assert attributes["user_ids"] == [1750, 1751, 1752]
    assert attributes["user_group_ids"] == []
    assert group_state(hass, biostar_entry, 2)[1]["access_level_ids"] == [53, 54]


async def test_groups_created_and_deleted_on_the_server_come_and_go_without_reload(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, biostar_entry)
    fahrzeughalle = group_entity_id(hass, biostar_entry, 2)
    assert fahrzeughalle is not None

    biostar_sim.add_access_group("Lager", group_id=7, users=[1752, 1753], access_levels=[54])
    await next_poll(hass, freezer)

    state, attributes = group_state(hass, biostar_entry, 7)
    assert state == "2"
    assert attributes["user_ids"] == [1752, 1753]
    assert attributes["friendly_name"] == "BioStar 127.0.0.1 Lager"
    assert len(group_entity_ids(hass, biostar_entry)) == 3

    del biostar_sim.access_groups[2]
    await next_poll(hass, freezer)

    assert group_entity_id(hass, biostar_entry, 2) is None
    assert hass.states.get(fahrzeughalle) is None
    assert len(group_entity_ids(hass, biostar_entry)) == 2
    assert group_state(hass, biostar_entry, 7)[0] == "2"
    # Polls only: no reload, so no second login.
    assert biostar_entry.state is ConfigEntryState.LOADED
    assert biostar_sim.login_count == 1


@pytest.mark.parametrize("fault", ["500", "malformed", "error_code", "429"])
async def test_unavailable_while_the_server_fails_and_back_after(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
    fault: str,
) -> None:
    await setup_entry(hass, biostar_entry)
    biostar_sim.set_fault(fault, "/api/access_groups")
    await next_poll(hass, freezer)

    assert group_state(hass, biostar_entry, 1)[0] == STATE_UNAVAILABLE
    assert group_state(hass, biostar_entry, 2)[0] == STATE_UNAVAILABLE
    assert biostar_entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    biostar_sim.clear_faults()
    biostar_sim.access_groups[2].users = [1753]
    await next_poll(hass, freezer)

    assert group_state(hass, biostar_entry, 1)[0] == "1"
    state, attributes = group_state(hass, biostar_entry, 2)
    assert state == "1"
    assert attributes["user_ids"] == [1753]


async def test_unavailable_while_the_server_is_down(
    hass: HomeAssistant,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
    socket_enabled: None,
) -> None:
    runner, url = await start_simulator(biostar_sim)
    port = int(url.rsplit(":", 1)[1])
    entry = MockConfigEntry(
        domain=DOMAIN, title="BioStar 127.0.0.1", unique_id=biostar_unique_id(url),
        data=biostar_data(url),
    )  # fmt: skip
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)
    await runner.cleanup()

    await next_poll(hass, freezer)
    assert group_state(hass, entry, 1)[0] == STATE_UNAVAILABLE

    runner, _ = await start_simulator(biostar_sim, port=port)
    try:
        await next_poll(hass, freezer)
        assert group_state(hass, entry, 1)[0] == "1"
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        await runner.cleanup()


async def test_expired_session_is_renewed_quietly(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, biostar_entry)
    biostar_sim.expire_sessions()
    biostar_sim.access_groups[1].users.append(1753)

    await next_poll(hass, freezer)

    assert group_state(hass, biostar_entry, 1)[0] == "2"
    assert biostar_sim.login_count == 2
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_refused_password_starts_reauth(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, biostar_entry)
    biostar_sim.credentials["admin"] = "Changed-Pw-2"
    biostar_sim.expire_sessions()

    await next_poll(hass, freezer)

    assert group_state(hass, biostar_entry, 1)[0] == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == biostar_entry.entry_id


async def test_unload_leaves_the_entities_unavailable(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await setup_entry(hass, biostar_entry)

    assert await hass.config_entries.async_unload(biostar_entry.entry_id)
    await hass.async_block_till_done()

    assert biostar_entry.state is ConfigEntryState.NOT_LOADED
    assert group_state(hass, biostar_entry, 1)[0] == STATE_UNAVAILABLE
    assert not [r for r in biostar_sim.requests if r.method in {"PUT", "DELETE"}]


async def test_a_renamed_group_is_renamed_at_the_next_poll(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, biostar_entry)
    entity_id = group_entity_id(hass, biostar_entry, 2)

    biostar_sim.access_groups[2].name = "Fahrzeughalle Nord"
    await next_poll(hass, freezer)

    assert group_entity_id(hass, biostar_entry, 2) == entity_id
    assert group_state(hass, biostar_entry, 2)[1]["friendly_name"] == (
        "BioStar 127.0.0.1 Fahrzeughalle Nord"
    )


async def test_a_group_deleted_while_home_assistant_was_away_is_cleaned_up(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await setup_entry(hass, biostar_entry)
    assert await hass.config_entries.async_unload(biostar_entry.entry_id)
    fahrzeughalle = group_entity_id(hass, biostar_entry, 2)
    assert fahrzeughalle is not None

    del biostar_sim.access_groups[2]
    await setup_entry(hass, biostar_entry)

    assert group_entity_id(hass, biostar_entry, 2) is None
    assert hass.states.get(fahrzeughalle) is None
    assert group_state(hass, biostar_entry, 1)[0] == "1"
