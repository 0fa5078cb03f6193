"""NFC check-in at a DIVERA unit: a tag whose id is a member's foreign id sets their status."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.divera_access.const import (
    CONF_TAG_SECOND_STATUS,
    CONF_TAG_STATUS,
    DOMAIN,
    EVENT_STATUS_SET,
    TAG_DEBOUNCE,
)
from tests.conftest import SECRETS, setup_entry
from tests.simulators.divera import DiveraSimulator

ERIKA_TAG = "0451D5E6F7"
MAX_TAG = "0451A2B3C4"
SETSTATUS = "/api/setstatus"

pytestmark = pytest.mark.usefixtures("secrets_never_logged")


def member_state(hass: HomeAssistant, ucr: int, cluster: int = 4711) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{cluster}_{ucr}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def set_tag_options(
    hass: HomeAssistant, entry: MockConfigEntry, arrive: str, leave: str = "none"
) -> None:
    """Choose the tag statuses the way a user does: options menu, then the tag_scan form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "tag_scan"}
    )
    assert result["step_id"] == "tag_scan"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_TAG_STATUS: arrive, CONF_TAG_SECOND_STATUS: leave}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def scan(
    hass: HomeAssistant, tag_id: str, name: str | None = "Wache Tor", device_id: str | None = None
) -> None:
    """What the tag integration fires when a phone or reader reads a tag."""
    hass.bus.async_fire("tag_scanned", {"tag_id": tag_id, "name": name, "device_id": device_id})
    await hass.async_block_till_done()


def status_requests(sim: DiveraSimulator) -> list[dict[str, str]]:
    """The person and status of every set-status request, without the key."""
    return [
        {"person": r.query.get("person", ""), "status": r.query.get("Status[id]", "")}
        for r in sim.requests_to(SETSTATUS)
    ]


@pytest.fixture
async def unit(hass: HomeAssistant, divera_entry: MockConfigEntry) -> MockConfigEntry:
    """The unit set up, with arrival 'Einsatzbereit' and leave 'Nicht einsatzbereit'."""
    await setup_entry(hass, divera_entry)
    await set_tag_options(hass, divera_entry, "1", "4")
    return divera_entry


async def test_scan_sets_status_and_fires_event(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    assert member_state(hass, 1002) == "Nicht einsatzbereit"

    await scan(hass, ERIKA_TAG)

    assert member_state(hass, 1002) == "Einsatzbereit"
    assert status_requests(divera_sim) == [{"person": ERIKA_TAG, "status": "1"}]
    assert divera_sim.requests_to(SETSTATUS)[0].method == "POST"
    assert divera_sim.members[102].status_id == 1
    assert len(events) == 1
    assert events[0].data == {
        "entry_id": unit.entry_id,
        "unit": "Feuerwehr Musterstadt",
        "member": "Erika Musterfrau",
        "foreign_id": ERIKA_TAG,
        "from_status": "Nicht einsatzbereit",
        "to_status": "Einsatzbereit",
        "from_status_id": 4,
        "to_status_id": 1,
        "source": "tag",
        "tag_id": ERIKA_TAG,
        "tag_name": "Wache Tor",
        "entity_id": er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "4711_1002"),
    }
    # Only the scanned member changed.
    assert member_state(hass, 1001) == "Einsatzbereit"
    assert member_state(hass, 1003) == "5 Minuten"


async def test_scan_reports_the_reader(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    await scan(hass, ERIKA_TAG, name=None, device_id="reader-wache-tor")
    assert events[0].data["device_id"] == "reader-wache-tor"
    assert "tag_name" not in events[0].data


async def test_second_scan_within_debounce_sends_nothing_then_toggles_back(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    await scan(hass, ERIKA_TAG)
    assert member_state(hass, 1002) == "Einsatzbereit"

    freezer.tick(timedelta(seconds=1))
    await scan(hass, ERIKA_TAG)
    freezer.tick(TAG_DEBOUNCE - timedelta(seconds=1.5))
    await scan(hass, ERIKA_TAG.lower())  # the same tag, read by another reader
    assert status_requests(divera_sim) == [{"person": ERIKA_TAG, "status": "1"}]
    assert member_state(hass, 1002) == "Einsatzbereit"
    assert len(events) == 1

    freezer.tick(TAG_DEBOUNCE)
    await scan(hass, ERIKA_TAG)
    assert member_state(hass, 1002) == "Nicht einsatzbereit"
    assert status_requests(divera_sim) == [
        {"person": ERIKA_TAG, "status": "1"},
        {"person": ERIKA_TAG, "status": "4"},
    ]
    assert [(e.data["from_status"], e.data["to_status"]) for e in events] == [
        ("Nicht einsatzbereit", "Einsatzbereit"),
        ("Einsatzbereit", "Nicht einsatzbereit"),
    ]

    freezer.tick(TAG_DEBOUNCE)
    await scan(hass, ERIKA_TAG)
    assert member_state(hass, 1002) == "Einsatzbereit"


async def test_debounce_is_per_tag(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    await scan(hass, ERIKA_TAG)
    await scan(hass, MAX_TAG)
    assert status_requests(divera_sim) == [
        {"person": ERIKA_TAG, "status": "1"},
        {"person": MAX_TAG, "status": "4"},  # Max was already there: he leaves
    ]
    assert member_state(hass, 1001) == "Nicht einsatzbereit"


async def test_without_second_status_every_scan_sets_arrival(
    hass: HomeAssistant,
    divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, divera_entry)
    await set_tag_options(hass, divera_entry, "2")
    await scan(hass, ERIKA_TAG)
    freezer.tick(TAG_DEBOUNCE * 2)
    await scan(hass, ERIKA_TAG)
    assert status_requests(divera_sim) == [
        {"person": ERIKA_TAG, "status": "2"},
        {"person": ERIKA_TAG, "status": "2"},
    ]
    assert member_state(hass, 1002) == "5 Minuten"


async def test_tags_do_nothing_by_default(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    await setup_entry(hass, divera_entry)
    await scan(hass, ERIKA_TAG)
    assert divera_sim.requests_to(SETSTATUS) == []
    assert events == []
    assert member_state(hass, 1002) == "Nicht einsatzbereit"


async def test_tags_do_nothing_when_set_back_to_none(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    await set_tag_options(hass, unit, "none", "none")
    assert unit.options == {CONF_TAG_STATUS: "none", CONF_TAG_SECOND_STATUS: "none"}
    await scan(hass, ERIKA_TAG)
    assert divera_sim.requests_to(SETSTATUS) == []
    assert member_state(hass, 1002) == "Nicht einsatzbereit"


async def test_tags_do_nothing_while_the_unit_is_unloaded(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    assert await hass.config_entries.async_unload(unit.entry_id)
    await scan(hass, ERIKA_TAG)
    assert divera_sim.requests_to(SETSTATUS) == []


@pytest.mark.parametrize("tag_id", ["04FFFFFFFF", "", "   ", "Wache Tor"])
async def test_unknown_tags_are_ignored_silently(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    caplog: pytest.LogCaptureFixture,
    tag_id: str,
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    caplog.clear()
    await scan(hass, tag_id)
    assert divera_sim.requests_to(SETSTATUS) == []
    assert events == []
    assert [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.divera_access")
        and record.levelno >= logging.INFO
    ] == []


async def test_a_member_without_foreign_id_has_no_tag(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    """Jonas has no foreign id; an empty tag id must not find him."""
    hass.bus.async_fire("tag_scanned", {"name": "Wache Tor"})
    await hass.async_block_till_done()
    assert divera_sim.requests_to(SETSTATUS) == []
    assert member_state(hass, 1003) == "5 Minuten"


@pytest.mark.parametrize("tag_id", ["0451d5e6f7", " 0451D5E6F7 ", "0451d5E6f7"])
async def test_foreign_id_matches_case_insensitively(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator, tag_id: str
) -> None:
    await scan(hass, tag_id)
    # DIVERA knows the member by the foreign id as it stores it.
    assert status_requests(divera_sim) == [{"person": ERIKA_TAG, "status": "1"}]
    assert member_state(hass, 1002) == "Einsatzbereit"


async def test_remote_failure_is_logged_without_the_key(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    divera_sim.set_fault("500", SETSTATUS)
    caplog.clear()
    await scan(hass, ERIKA_TAG)

    assert len(divera_sim.requests_to(SETSTATUS)) == 1
    assert member_state(hass, 1002) == "Nicht einsatzbereit"
    assert events == []
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.divera_access")
        and record.levelno == logging.WARNING
    ]
    assert len(warnings) == 1
    assert warnings[0].startswith("Tag scan for Erika Musterfrau: status not set: The server")
    for secret in SECRETS:
        assert secret not in caplog.text
    assert unit.state is ConfigEntryState.LOADED

    # Once DIVERA answers again, the next scan works.
    divera_sim.clear_faults()
    freezer.tick(TAG_DEBOUNCE * 2)
    await scan(hass, ERIKA_TAG)
    assert member_state(hass, 1002) == "Einsatzbereit"
    assert len(events) == 1


async def test_refused_status_is_logged(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """DIVERA refuses with HTTP 200 and success false: the user reads its reason."""
    divera_sim.set_fault("success_false", SETSTATUS)
    await scan(hass, ERIKA_TAG)
    assert (
        "Tag scan for Erika Musterfrau: status not set: The server refused: Simulated failure"
        in caplog.text
    )
    assert member_state(hass, 1002) == "Nicht einsatzbereit"


async def test_scan_sets_status_in_every_unit_that_knows_the_tag(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    second_divera_entry: MockConfigEntry,
    second_divera_sim: DiveraSimulator,
) -> None:
    """Max carries the same transponder in the neighbouring unit (as Petra there)."""
    await setup_entry(hass, second_divera_entry)
    await set_tag_options(hass, second_divera_entry, "1")
    events = async_capture_events(hass, EVENT_STATUS_SET)

    await scan(hass, MAX_TAG)

    assert status_requests(divera_sim) == [{"person": MAX_TAG, "status": "4"}]
    assert status_requests(second_divera_sim) == [{"person": MAX_TAG, "status": "1"}]
    assert member_state(hass, 1001) == "Nicht einsatzbereit"
    assert member_state(hass, 2001, cluster=4712) == "Einsatzbereit"
    assert {(e.data["entry_id"], e.data["member"]) for e in events} == {
        (unit.entry_id, "Max Mustermann"),
        (second_divera_entry.entry_id, "Petra Nachbar"),
    }


async def test_options_survive_and_apply_after_reload(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    assert await hass.config_entries.async_reload(unit.entry_id)
    await hass.async_block_till_done()
    await scan(hass, ERIKA_TAG)
    assert status_requests(divera_sim) == [{"person": ERIKA_TAG, "status": "1"}]


async def test_default_tag_name_is_not_a_place(hass: HomeAssistant, unit: MockConfigEntry) -> None:
    """An unnamed tag is called "Tag <id>": the id must not end up in the logbook line."""
    events = async_capture_events(hass, EVENT_STATUS_SET)
    await scan(hass, ERIKA_TAG, name=f"Tag {ERIKA_TAG}")
    assert len(events) == 1
    assert "tag_name" not in events[0].data
