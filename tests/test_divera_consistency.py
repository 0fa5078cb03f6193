"""What the unit shows stays right across races and short failures of DIVERA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.divera_access.const import DOMAIN
from tests.conftest import poll, setup_entry, wait_for_request
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("secrets_never_logged")


def state_of(hass: HomeAssistant, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_poll_under_way_does_not_bring_back_the_old_status(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    polls = len(divera_sim.requests_to("/api/users"))
    divera_sim.timeout_delay = 0.3
    divera_sim.set_fault("timeout", "/api/users")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await wait_for_request(divera_sim, "/api/users", polls + 1)
    divera_sim.clear_faults()

    await hass.services.async_call(
        DOMAIN, "set_status", {"foreign_id": "0451A2B3C4", "status": 4}, blocking=True
    )
    assert state_of(hass, "4711_1001") == "Nicht einsatzbereit"
    # The poll that was already under way answers with what DIVERA had before.
    divera_sim.set_member_status(101, 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, "4711_1001") == "Nicht einsatzbereit"

    # A poll that starts after the change shows DIVERA's word again.
    await poll(hass, 62)
    assert state_of(hass, "4711_1001") == "Einsatzbereit"


async def test_short_failure_of_status_names_keeps_the_count_sensors(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    count = registry.async_get_or_create(
        "sensor", DOMAIN, "4711_status_1", config_entry=divera_entry, suggested_object_id="ready"
    )
    registry.async_update_entity(count.entity_id, area_id=None, name="Bereit")
    divera_sim.set_fault("500", "/api/v2/pull/all")

    await setup_entry(hass, divera_entry)
    assert state_of(hass, "4711_1001") == "1"
    assert registry.async_get(count.entity_id) is not None

    divera_sim.clear_faults()
    await poll(hass)
    assert state_of(hass, "4711_1001") == "Einsatzbereit"
    entry = registry.async_get(count.entity_id)
    assert entry is not None
    assert entry.name == "Bereit"
    assert hass.states.get(count.entity_id).state == "1"


async def test_empty_status_list_does_not_erase_known_names(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, divera_entry)
    pulls = len(divera_sim.requests_to("/api/v2/pull/all"))
    divera_sim.statuses.clear()  # DIVERA answers "status": [] for the unit
    freezer.tick(timedelta(hours=1, seconds=1))
    await poll(hass)
    assert len(divera_sim.requests_to("/api/v2/pull/all")) == pulls + 1
    assert state_of(hass, "4711_1001") == "Einsatzbereit"
    assert state_of(hass, "4711_status_1") == "1"


async def test_count_sensor_follows_a_renamed_status(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, divera_entry)
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "4711_status_1")
    assert entity_id is not None
    assert hass.states.get(entity_id).attributes["friendly_name"].endswith("Einsatzbereit")
    divera_sim.statuses[1]["name"] = "Bereit"
    freezer.tick(timedelta(hours=1, seconds=1))  # status names are read again hourly
    await poll(hass)
    assert state_of(hass, "4711_1001") == "Bereit"
    assert hass.states.get(entity_id).attributes["friendly_name"].endswith(" Bereit")
