"""The logbook: one readable line per status change the integration makes."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.divera_access.const import DOMAIN, EVENT_STATUS_SET
from custom_components.divera_access.logbook import describe_status_set
from tests.conftest import setup_entry
from tests.simulators.divera import DiveraSimulator
from tests.test_tags import ERIKA_TAG, scan, set_tag_options

pytestmark = pytest.mark.usefixtures("secrets_never_logged")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """The recorder must start before Home Assistant does: the logbook reads from it."""


def status_set(**extra: Any) -> dict[str, Any]:
    """Event data as the coordinator fires it."""
    return {
        "entry_id": "abc",
        "unit": "Feuerwehr Musterstadt",
        "member": "Max Mustermann",
        "foreign_id": "0451A2B3C4",
        "from_status": "Nicht einsatzbereit",
        "to_status": "Einsatzbereit",
        "from_status_id": 4,
        "to_status_id": 1,
        **extra,
    }


@pytest.mark.parametrize(
    ("language", "extra", "message"),
    [
        ("en", {"source": "tag", "tag_name": "Wache Tor"}, "Einsatzbereit, by tag at Wache Tor"),
        ("de", {"source": "tag", "tag_name": "Wache Tor"}, "Einsatzbereit, per Tag an Wache Tor"),
        (
            "de-CH",
            {"source": "tag", "tag_name": "Wache Tor"},
            "Einsatzbereit, per Tag an Wache Tor",
        ),
        ("en", {"source": "tag", "tag_id": ERIKA_TAG}, "Einsatzbereit, by tag"),
        ("en", {"source": "action"}, "Einsatzbereit, by action"),
        ("de", {"source": "action"}, "Einsatzbereit, per Aktion"),
        ("en", {"source": "voice"}, "Einsatzbereit, by voice"),
        ("de", {"source": "voice"}, "Einsatzbereit, per Sprache"),
        ("en", {"source": "dashboard"}, "Einsatzbereit, on the dashboard"),
        ("de", {"source": "dashboard"}, "Einsatzbereit, im Dashboard"),
        ("fr", {"source": "voice"}, "Einsatzbereit, by voice"),
        ("en", {"source": "voice", "device_id": "gone"}, "Einsatzbereit, by voice"),
    ],
)
async def test_describe_status_set(
    hass: HomeAssistant, language: str, extra: dict[str, Any], message: str
) -> None:
    hass.config.language = language
    described = describe_status_set(hass, status_set(**extra))
    assert described.pop("icon").startswith("mdi:")
    assert described == {"name": "Max Mustermann:", "message": message}


async def test_describe_names_the_device(hass: HomeAssistant) -> None:
    """A voice satellite or reader without a tag name: the device's name tells where."""
    entry = MockConfigEntry(domain="esphome")
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    device = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("esphome", "sat1")}, name="Satellit Wache"
    )
    data = status_set(source="voice", device_id=device.id)
    assert describe_status_set(hass, data)["message"] == "Einsatzbereit, by voice at Satellit Wache"
    registry.async_update_device(device.id, name_by_user="Funkraum")
    assert describe_status_set(hass, data)["message"] == "Einsatzbereit, by voice at Funkraum"
    # A tag's own name wins over the reader's.
    data["tag_name"] = "Wache Tor"
    assert describe_status_set(hass, data)["message"] == "Einsatzbereit, by voice at Wache Tor"


async def logbook_entries(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> list[dict[str, Any]]:
    """Our entries as the Activity panel reads them."""
    await async_wait_recording_done(hass)
    client = await hass_client()
    response = await client.get("/api/logbook")
    assert response.status == HTTPStatus.OK
    return [entry for entry in await response.json() if entry.get("domain") == DOMAIN]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Einsatzbereit, by tag at Wache Tor"),
        ("de", "Einsatzbereit, per Tag an Wache Tor"),
    ],
)
async def test_tag_scan_in_the_logbook(
    hass: HomeAssistant,
    *,
    hass_client: ClientSessionGenerator,
    divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    language: str,
    message: str,
) -> None:
    hass.config.language = language
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, divera_entry)
    await set_tag_options(hass, divera_entry, "1", "4")

    await scan(hass, ERIKA_TAG)
    assert len(divera_sim.requests_to("/api/setstatus")) == 1

    entries = await logbook_entries(hass, hass_client)
    assert len(entries) == 1
    assert entries[0]["name"] == "Erika Musterfrau:"
    assert entries[0]["message"] == message


async def test_failed_change_leaves_no_logbook_line(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, divera_entry)
    await set_tag_options(hass, divera_entry, "1")
    divera_sim.set_fault("500", "/api/setstatus")
    await scan(hass, ERIKA_TAG)
    assert await logbook_entries(hass, hass_client) == []


async def test_action_in_the_logbook(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    divera_entry: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, divera_entry)
    await hass.services.async_call(
        DOMAIN, "set_status", {"foreign_id": "0451A2B3C4", "status": "5 Minuten"}, blocking=True
    )
    entries = await logbook_entries(hass, hass_client)
    assert [(e["name"], e["message"]) for e in entries] == [
        ("Max Mustermann:", "5 Minuten, by action")
    ]


async def test_event_fired_by_hand_is_described_too(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    divera_entry: MockConfigEntry,
) -> None:
    """The description needs only the event, not a loaded unit."""
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, divera_entry)
    assert await hass.config_entries.async_unload(divera_entry.entry_id)
    hass.bus.async_fire(EVENT_STATUS_SET, status_set(source="dashboard"))
    await hass.async_block_till_done()
    entries = await logbook_entries(hass, hass_client)
    assert [(e["name"], e["message"]) for e in entries] == [
        ("Max Mustermann:", "Einsatzbereit, on the dashboard")
    ]


async def test_line_belongs_to_the_member_sensor(hass: HomeAssistant) -> None:
    """With the member's sensor named, logbook cards and the more-info dialog show the line."""
    data = {**status_set(), "entity_id": "sensor.feuerwehr_musterstadt_max_mustermann"}
    described = describe_status_set(hass, data)
    assert described["entity_id"] == "sensor.feuerwehr_musterstadt_max_mustermann"
    assert "entity_id" not in describe_status_set(hass, status_set())
