"""Setting up and unloading a DIVERA unit entry, and what happens when DIVERA is down then."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import DOMAIN
from tests.conftest import setup_entry
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("secrets_never_logged")


def member_entity(hass: HomeAssistant, ucr: int, platform: str = "sensor") -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"4711_{ucr}")
    assert entity_id is not None
    return entity_id


async def test_setup_and_unload(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    await setup_entry(hass, divera_entry)
    assert divera_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(member_entity(hass, 1001)).state == "Einsatzbereit"
    assert len(divera_sim.requests_to("/api/users")) == 1
    assert len(divera_sim.requests_to("/api/v2/pull/all")) == 1
    assert hass.services.has_service(DOMAIN, "set_status")

    assert await hass.config_entries.async_unload(divera_entry.entry_id)
    await hass.async_block_till_done()
    assert divera_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(member_entity(hass, 1001)).state == "unavailable"


@pytest.mark.parametrize("fault", ["500", "malformed", "empty_list"])
async def test_setup_retries_while_divera_fails(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator, fault: str
) -> None:
    divera_sim.set_fault(fault, "/api/users")
    await hass.config_entries.async_setup(divera_entry.entry_id)
    await hass.async_block_till_done()
    assert divera_entry.state is ConfigEntryState.SETUP_RETRY
    assert er.async_entries_for_config_entry(er.async_get(hass), divera_entry.entry_id) == []

    divera_sim.clear_faults()
    await hass.config_entries.async_reload(divera_entry.entry_id)
    await hass.async_block_till_done()
    assert divera_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(member_entity(hass, 1002)).state == "Nicht einsatzbereit"


async def test_setup_with_refused_key_asks_for_a_new_one(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    divera_sim.system_keys = {"SYSTEM-KEY-SECRET-NEW"}
    await hass.config_entries.async_setup(divera_entry.entry_id)
    await hass.async_block_till_done()
    assert divera_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_setup_when_pull_fails_uses_status_ids(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    """The status names are a bonus: a failing pull/all does not stop the unit."""
    divera_sim.set_fault("500", "/api/v2/pull/all")
    await setup_entry(hass, divera_entry)
    assert divera_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(member_entity(hass, 1001)).state == "1"


async def test_member_entry_setup_and_unload(
    hass: HomeAssistant, personal_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    await setup_entry(hass, personal_entry)
    assert personal_entry.state is ConfigEntryState.LOADED
    assert divera_sim.requests_to("/api/users") == []
    assert await hass.config_entries.async_unload(personal_entry.entry_id)
    assert personal_entry.state is ConfigEntryState.NOT_LOADED


async def test_member_entry_setup_retries_while_divera_fails(
    hass: HomeAssistant, personal_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    divera_sim.set_fault("500")
    await hass.config_entries.async_setup(personal_entry.entry_id)
    await hass.async_block_till_done()
    assert personal_entry.state is ConfigEntryState.SETUP_RETRY
