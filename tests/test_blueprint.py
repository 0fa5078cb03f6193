"""The NFC check-in blueprint, run by Home Assistant's automation engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import DOMAIN
from tests.conftest import setup_entry
from tests.simulators.divera import DiveraSimulator

BLUEPRINT = Path(__file__).parents[1] / "blueprints/automation/divera_access/nfc_check_in.yaml"


def _install_blueprint(config_dir: str) -> None:
    target = Path(config_dir) / "blueprints/automation/divera_access"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINT, target / BLUEPRINT.name)


@pytest.fixture
async def blueprint_automation(hass: HomeAssistant, divera_entry: MockConfigEntry) -> None:
    """The unit set up and one automation made from the blueprint."""
    await hass.async_add_executor_job(_install_blueprint, hass.config.config_dir)
    await setup_entry(hass, divera_entry)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Check-in",
                "use_blueprint": {
                    "path": "divera_access/nfc_check_in.yaml",
                    "input": {
                        "arrival_status": "Einsatzbereit",
                        "leave_status": "Nicht einsatzbereit",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()


def _state(hass: HomeAssistant, ucr: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"4711_{ucr}")
    assert entity_id
    return hass.states.get(entity_id).state


async def test_scan_toggles_arrival_and_leave(
    hass: HomeAssistant,
    blueprint_automation: None,
    divera_sim: DiveraSimulator,
    secrets_never_logged: None,
) -> None:
    assert _state(hass, 1002) == "Nicht einsatzbereit"
    hass.bus.async_fire("tag_scanned", {"tag_id": "0451d5e6f7"})
    await hass.async_block_till_done()
    assert _state(hass, 1002) == "Einsatzbereit"
    sent = divera_sim.requests_to("/api/setstatus")
    assert [(r.query["person"], r.query["Status[id]"]) for r in sent] == [("0451D5E6F7", "1")]

    hass.bus.async_fire("tag_scanned", {"tag_id": "0451D5E6F7"})
    await hass.async_block_till_done()
    assert _state(hass, 1002) == "Nicht einsatzbereit"
    assert len(divera_sim.requests_to("/api/setstatus")) == 2


async def test_unknown_tag_sends_nothing(
    hass: HomeAssistant, blueprint_automation: None, divera_sim: DiveraSimulator
) -> None:
    hass.bus.async_fire("tag_scanned", {"tag_id": "DEADBEEF"})
    await hass.async_block_till_done()
    assert divera_sim.requests_to("/api/setstatus") == []
