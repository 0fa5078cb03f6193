"""NFC check-in at the door: a tag scan also adds members to access groups, or removes them."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import (
    CONF_ARRIVAL_GROUPS,
    CONF_TAG_SECOND_STATUS,
    CONF_TAG_STATUS,
    DOMAIN,
    TAG_DEBOUNCE,
)
from tests.conftest import setup_entry
from tests.simulators.biostar import BiostarSimulator
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("biostar_secrets_never_logged")

MAX_TAG = "0451A2B3C4"
ERIKA_TAG = "0451D5E6F7"
JONAS_CARD = "0452C0FFEE"
MAX, ERIKA, JONAS = 1750, 1751, 1752
SETSTATUS = "/api/setstatus"
AFTER_DEBOUNCE = TAG_DEBOUNCE + timedelta(seconds=1)


async def scan(hass: HomeAssistant, tag_id: str) -> None:
    """What the tag integration fires when a reader reads a tag."""
    hass.bus.async_fire("tag_scanned", {"tag_id": tag_id, "name": "Wache Tor"})
    await hass.async_block_till_done()


def statuses_sent(sim: DiveraSimulator) -> list[tuple[str, str]]:
    return [
        (r.query.get("person", ""), r.query.get("Status[id]", ""))
        for r in sim.requests_to(SETSTATUS)
    ]


def door_writes(sim: BiostarSimulator) -> list[tuple[str, str, object]]:
    return [
        (r.method, r.path, r.json)
        for r in sim.requests
        if r.method in {"PUT", "POST", "DELETE"} and r.path not in {"/api/login", "/api/logout"}
    ]


def group_users(hass: HomeAssistant, entry: MockConfigEntry, group_id: int) -> list[int]:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_access_group_{group_id}"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == str(len(state.attributes["user_ids"]))
    return list(state.attributes["user_ids"])


def member_status(hass: HomeAssistant, ucr: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"4711_{ucr}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def warnings_of_ours(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.divera_access")
        and record.levelno >= logging.WARNING
    ]


@pytest.fixture
async def unit(hass: HomeAssistant, divera_entry: MockConfigEntry) -> MockConfigEntry:
    """The unit: a scan sets 'Einsatzbereit' (1), the next one 'Nicht einsatzbereit' (4)."""
    hass.config_entries.async_update_entry(
        divera_entry, options={CONF_TAG_STATUS: "1", CONF_TAG_SECOND_STATUS: "4"}
    )
    await setup_entry(hass, divera_entry)
    return divera_entry


@pytest.fixture
async def door(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> MockConfigEntry:
    """The BioStar server: arriving members join access group 1 (Wache Tor)."""
    biostar_sim.add_card(JONAS_CARD, JONAS)
    hass.config_entries.async_update_entry(biostar_entry, options={CONF_ARRIVAL_GROUPS: [1]})
    await setup_entry(hass, biostar_entry)
    return biostar_entry


async def test_arrival_opens_the_door_and_leaving_closes_it(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert member_status(hass, 1002) == "Nicht einsatzbereit"

    await scan(hass, ERIKA_TAG)

    assert statuses_sent(divera_sim) == [(ERIKA_TAG, "1")]
    assert divera_sim.members[102].status_id == 1
    assert member_status(hass, 1002) == "Einsatzbereit"
    assert door_writes(biostar_sim) == [
        ("PUT", "/api/access_groups/1", {"AccessGroup": {"new_users": [{"user_id": ERIKA}]}})
    ]
    assert biostar_sim.access_groups[1].users == [MAX, ERIKA]
    assert group_users(hass, door, 1) == [MAX, ERIKA]
    assert group_users(hass, door, 2) == []

    freezer.tick(AFTER_DEBOUNCE)
    await scan(hass, ERIKA_TAG)

    assert statuses_sent(divera_sim) == [(ERIKA_TAG, "1"), (ERIKA_TAG, "4")]
    assert member_status(hass, 1002) == "Nicht einsatzbereit"
    assert door_writes(biostar_sim)[1:] == [
        ("PUT", "/api/access_groups/1", {"AccessGroup": {"delete_users": [{"user_id": ERIKA}]}})
    ]
    assert biostar_sim.access_groups[1].users == [MAX]
    assert group_users(hass, door, 1) == [MAX]
    # The user groups of the access group were left alone.
    assert biostar_sim.access_groups[1].user_groups == [10871]


async def test_a_second_tap_within_the_debounce_does_nothing(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await scan(hass, ERIKA_TAG)
    freezer.tick(TAG_DEBOUNCE - timedelta(seconds=1))
    await scan(hass, ERIKA_TAG.lower())

    assert statuses_sent(divera_sim) == [(ERIKA_TAG, "1")]
    assert len(door_writes(biostar_sim)) == 1
    assert group_users(hass, door, 1) == [MAX, ERIKA]


async def test_a_member_already_there_leaves(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
) -> None:
    """Max is 'Einsatzbereit' and in the door group: his tap is the second one."""
    await scan(hass, MAX_TAG)

    assert statuses_sent(divera_sim) == [(MAX_TAG, "4")]
    assert door_writes(biostar_sim) == [
        ("PUT", "/api/access_groups/1", {"AccessGroup": {"delete_users": [{"user_id": MAX}]}})
    ]
    assert group_users(hass, door, 1) == []


async def test_a_card_divera_does_not_know_toggles_by_membership(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await scan(hass, JONAS_CARD)

    assert statuses_sent(divera_sim) == []
    assert group_users(hass, door, 1) == [MAX, JONAS]

    freezer.tick(AFTER_DEBOUNCE)
    await scan(hass, JONAS_CARD)

    assert group_users(hass, door, 1) == [MAX]
    assert [w[2] for w in door_writes(biostar_sim)] == [
        {"AccessGroup": {"new_users": [{"user_id": JONAS}]}},
        {"AccessGroup": {"delete_users": [{"user_id": JONAS}]}},
    ]


async def test_every_arrival_group_is_changed(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    biostar_sim: BiostarSimulator,
) -> None:
    hass.config_entries.async_update_entry(door, options={CONF_ARRIVAL_GROUPS: [1, 2, 99]})
    await hass.config_entries.async_reload(door.entry_id)
    await hass.async_block_till_done()

    await scan(hass, ERIKA_TAG)

    assert [w[1] for w in door_writes(biostar_sim)] == [
        "/api/access_groups/1",
        "/api/access_groups/2",
    ]
    assert group_users(hass, door, 1) == [MAX, ERIKA]
    assert group_users(hass, door, 2) == [ERIKA]


@pytest.mark.parametrize("tag_id", ["04FFFFFFFF", "0999999999"])
async def test_unknown_and_unassigned_tags_change_nothing_and_say_nothing(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    caplog: pytest.LogCaptureFixture,
    tag_id: str,
) -> None:
    await scan(hass, tag_id)

    assert statuses_sent(divera_sim) == []
    assert door_writes(biostar_sim) == []
    assert warnings_of_ours(caplog) == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert group_users(hass, door, 1) == [MAX]


async def test_without_arrival_groups_the_door_is_not_asked(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    biostar_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
) -> None:
    await setup_entry(hass, biostar_entry)
    reads = len(biostar_sim.requests)

    await scan(hass, ERIKA_TAG)

    assert statuses_sent(divera_sim) == [(ERIKA_TAG, "1")]
    assert biostar_sim.requests[reads:] == []


async def test_refused_door_change_is_logged_and_the_status_still_set(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    biostar_sim.fault_message = "Access group is locked."
    biostar_sim.set_fault("error_code", "/api/access_groups/1", method="PUT")

    await scan(hass, ERIKA_TAG)

    assert statuses_sent(divera_sim) == [(ERIKA_TAG, "1")]
    assert member_status(hass, 1002) == "Einsatzbereit"
    assert group_users(hass, door, 1) == [MAX]
    warnings = warnings_of_ours(caplog)
    assert len(warnings) == 1
    assert "Access group is locked" in warnings[0]


async def test_when_divera_fails_the_door_follows_the_membership(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    divera_sim.set_fault("500", SETSTATUS)

    await scan(hass, ERIKA_TAG)

    assert member_status(hass, 1002) == "Nicht einsatzbereit"
    assert group_users(hass, door, 1) == [MAX, ERIKA]
    assert len(warnings_of_ours(caplog)) == 1


async def test_a_door_server_that_cannot_look_up_cards_is_reported(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    door: MockConfigEntry,
    divera_sim: DiveraSimulator,
    biostar_sim: BiostarSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unknown cards are silent; a server that fails to answer is not."""
    biostar_sim.set_fault("500", "/api/cards")

    await scan(hass, ERIKA_TAG)

    assert statuses_sent(divera_sim) == [(ERIKA_TAG, "1")]
    assert door_writes(biostar_sim) == []
    warnings = warnings_of_ours(caplog)
    assert len(warnings) == 1
    assert "BioStar 127.0.0.1" in warnings[0]
