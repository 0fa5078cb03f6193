"""Setting up a DIVERA unit: member sensors, status counts, unload."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import DOMAIN
from tests.conftest import setup_entry
from tests.simulators.divera import DiveraSimulator


def member_entity(hass: HomeAssistant, ucr: int, platform: str = "sensor") -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"4711_{ucr}")
    assert entity_id is not None
    return entity_id


async def test_members_become_sensors(
    hass: HomeAssistant,
    divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    secrets_never_logged: None,
) -> None:
    await setup_entry(hass, divera_entry)
    assert divera_entry.state is ConfigEntryState.LOADED
    state = hass.states.get(member_entity(hass, 1001))
    assert state is not None
    assert state.state == "Einsatzbereit"
    assert state.attributes["status_id"] == 1
    assert state.attributes["foreign_id"] == "0451A2B3C4"
    assert state.attributes["device_class"] == "enum"
    assert state.attributes["options"] == [
        "Einsatzbereit",
        "5 Minuten",
        "10 Minuten",
        "Nicht einsatzbereit",
    ]
    assert state.attributes["friendly_name"].endswith("Max Mustermann")
    assert hass.states.get(member_entity(hass, 1002)).state == "Nicht einsatzbereit"
    assert len(divera_sim.requests_to("/api/users")) == 1

    assert await hass.config_entries.async_unload(divera_entry.entry_id)
    assert divera_entry.state is ConfigEntryState.NOT_LOADED
