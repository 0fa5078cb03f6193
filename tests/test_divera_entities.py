"""Entities of a DIVERA unit: member and status-count sensors, polling, faults and recovery."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.components.select import SERVICE_SELECT_OPTION
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION, EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.divera_access.const import DOMAIN, EVENT_STATUS_SET
from tests.conftest import poll, setup_entry, wait_for_request
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("secrets_never_logged")

STATUS_NAMES = ["Einsatzbereit", "5 Minuten", "10 Minuten", "Nicht einsatzbereit"]
COORDINATOR_LOGGER = "custom_components.divera_access"


def entity_id_for(hass: HomeAssistant, unique_id: str, platform: str = "sensor") -> str | None:
    return er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)


def member_sensor(hass: HomeAssistant, ucr: int) -> str:
    entity_id = entity_id_for(hass, f"4711_{ucr}")
    assert entity_id is not None
    return entity_id


def count_sensor(hass: HomeAssistant, status_id: int) -> str:
    entity_id = entity_id_for(hass, f"4711_status_{status_id}")
    assert entity_id is not None
    return entity_id


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def our_states(hass: HomeAssistant) -> dict[str, tuple[str, object, object]]:
    """State, last_updated and last_reported of every entity of the integration."""
    registry = er.async_get(hass)
    result = {}
    for state in hass.states.async_all():
        entry = registry.async_get(state.entity_id)
        if entry is not None and entry.platform == DOMAIN:
            result[state.entity_id] = (state.state, state.last_updated, state.last_reported)
    return result


# --- what a member sensor shows ---------------------------------------------------------------


async def test_member_sensor_shows_status_name(
    hass: HomeAssistant, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    state = hass.states.get(member_sensor(hass, 1001))
    assert state is not None
    assert state.state == "Einsatzbereit"
    assert state.attributes["device_class"] == "enum"
    assert state.attributes["options"] == STATUS_NAMES
    assert state.attributes["status_id"] == 1
    assert isinstance(state.attributes["status_id"], int)
    assert state.attributes["foreign_id"] == "0451A2B3C4"
    assert state.attributes["friendly_name"] == "Feuerwehr Musterstadt Max Mustermann"

    # DIVERA sends Erika's status id as a string: still an int here.
    erika = hass.states.get(member_sensor(hass, 1002))
    assert erika is not None
    assert erika.state == "Nicht einsatzbereit"
    assert erika.attributes["status_id"] == 4
    jonas = hass.states.get(member_sensor(hass, 1003))
    assert jonas is not None
    assert jonas.state == "5 Minuten"
    assert jonas.attributes["foreign_id"] is None

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, "divera_4711"), divera_entry.entry_id
    )
    assert device is not None
    assert device.name == "Feuerwehr Musterstadt"
    sensors = er.async_entries_for_device(er.async_get(hass), device.id)
    assert {entry.unique_id for entry in sensors if entry.domain == "sensor"} == {
        "4711_1001",
        "4711_1002",
        "4711_1003",
        "4711_status_1",
        "4711_status_2",
        "4711_status_3",
        "4711_status_4",
    }


async def test_member_sensor_shows_status_id_where_names_are_refused(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    divera_sim.system_key_may_pull = False
    await setup_entry(hass, divera_entry)
    state = hass.states.get(member_sensor(hass, 1001))
    assert state is not None
    assert state.state == "1"
    assert "device_class" not in state.attributes
    assert "options" not in state.attributes
    assert state.attributes["status_id"] == 1
    assert state_of(hass, member_sensor(hass, 1002)) == "4"
    # Without names there is nothing to count by.
    assert entity_id_for(hass, "4711_status_1") is None


async def test_status_count_sensors(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    ready = hass.states.get(count_sensor(hass, 1))
    assert ready is not None
    assert ready.state == "1"
    assert ready.attributes["members"] == ["Max Mustermann"]
    assert ready.attributes["friendly_name"] == "Feuerwehr Musterstadt Einsatzbereit"
    assert state_of(hass, count_sensor(hass, 3)) == "0"

    divera_sim.set_member_status(102, 1)
    await poll(hass)
    ready = hass.states.get(count_sensor(hass, 1))
    assert ready is not None
    assert ready.state == "2"
    assert ready.attributes["members"] == ["Erika Musterfrau", "Max Mustermann"]
    not_ready = hass.states.get(count_sensor(hass, 4))
    assert not_ready is not None
    assert not_ready.state == "0"
    assert not_ready.attributes["members"] == []
    assert state_of(hass, member_sensor(hass, 1002)) == "Einsatzbereit"


# --- polling ----------------------------------------------------------------------------------


async def test_one_request_per_poll_and_no_write_without_change(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    users = len(divera_sim.requests_to("/api/users"))
    pulls = len(divera_sim.requests_to("/api/v2/pull/all"))
    before = our_states(hass)
    assert len(before) == 7
    changes: list[Event] = []

    @callback
    def _changed(event: Event) -> None:
        changes.append(event)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)

    await poll(hass)
    await poll(hass)

    assert len(divera_sim.requests_to("/api/users")) == users + 2
    assert len(divera_sim.requests_to("/api/v2/pull/all")) == pulls
    assert [request.path for request in divera_sim.requests[-2:]] == ["/api/users"] * 2
    assert changes == []
    assert our_states(hass) == before

    # One member changes: only their sensor and the two counts are written.
    divera_sim.set_member_status(101, 2)
    await poll(hass)
    assert sorted(event.data["entity_id"] for event in changes) == sorted(
        [member_sensor(hass, 1001), count_sensor(hass, 1), count_sensor(hass, 2)]
    )
    after = our_states(hass)
    assert after[member_sensor(hass, 1002)] == before[member_sensor(hass, 1002)]
    assert after[count_sensor(hass, 4)] == before[count_sensor(hass, 4)]


async def test_status_names_are_read_again_after_an_hour(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, divera_entry)
    pulls = len(divera_sim.requests_to("/api/v2/pull/all"))
    divera_sim.statuses[1]["name"] = "Bereit"
    await poll(hass)
    assert state_of(hass, member_sensor(hass, 1001)) == "Einsatzbereit"

    freezer.tick(timedelta(hours=1, seconds=1))
    await poll(hass)
    assert len(divera_sim.requests_to("/api/v2/pull/all")) == pulls + 1
    state = hass.states.get(member_sensor(hass, 1001))
    assert state is not None
    assert state.state == "Bereit"
    assert state.attributes["options"][0] == "Bereit"


async def test_member_rename_shows_without_reload(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    entity_id = member_sensor(hass, 1002)
    divera_sim.members[102].lastname = "Beispiel"
    await poll(hass)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["friendly_name"] == "Feuerwehr Musterstadt Erika Beispiel"
    assert member_sensor(hass, 1002) == entity_id


# --- members join and leave -------------------------------------------------------------------


async def test_members_join_and_leave_without_reload(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_entry(hass, divera_entry)
    registry = er.async_get(hass)
    erika_sensor = member_sensor(hass, 1002)
    erika_select = entity_id_for(hass, "4711_1002", "select")
    assert erika_select is not None

    divera_sim.add_member(
        "Lena", "Neu", user_id=104, user_cluster_relation_id=1004, foreign_id="04AA", status_id=3
    )
    await poll(hass)
    lena = hass.states.get(member_sensor(hass, 1004))
    assert lena is not None
    assert lena.state == "10 Minuten"
    assert lena.attributes["foreign_id"] == "04AA"
    assert entity_id_for(hass, "4711_1004", "select") is not None
    count = hass.states.get(count_sensor(hass, 3))
    assert count is not None
    assert count.attributes["members"] == ["Lena Neu"]

    divera_sim.remove_member(102)
    await poll(hass)
    assert hass.states.get(erika_sensor) is None
    assert registry.async_get(erika_sensor) is None
    assert registry.async_get(erika_select) is None
    assert entity_id_for(hass, "4711_1002") is None
    count = hass.states.get(count_sensor(hass, 4))
    assert count is not None
    assert count.state == "0"
    assert divera_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, member_sensor(hass, 1001)) == "Einsatzbereit"

    # Two leave at once; the one left still shows, and nothing failed on the way.
    divera_sim.remove_member(101)
    divera_sim.remove_member(104)
    await poll(hass)
    assert [entity_id_for(hass, f"4711_{ucr}") is None for ucr in (1001, 1003, 1004)] == [
        True,
        False,
        True,
    ]
    assert state_of(hass, member_sensor(hass, 1003)) == "5 Minuten"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_members_that_left_while_stopped_are_removed_at_startup(
    hass: HomeAssistant, divera_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    for platform in ("sensor", "select"):
        registry.async_get_or_create(
            platform, DOMAIN, "4711_1999", config_entry=divera_entry, suggested_object_id="gone"
        )
    registry.async_get_or_create(
        "sensor", DOMAIN, "4711_status_9", config_entry=divera_entry, suggested_object_id="old"
    )
    other = MockConfigEntry(domain=DOMAIN, unique_id="9999")
    other.add_to_hass(hass)
    kept = registry.async_get_or_create("sensor", DOMAIN, "9999_1", config_entry=other)

    await setup_entry(hass, divera_entry)

    assert entity_id_for(hass, "4711_1999") is None
    assert entity_id_for(hass, "4711_1999", "select") is None
    assert entity_id_for(hass, "4711_status_9") is None
    assert registry.async_get(kept.entity_id) is not None
    assert entity_id_for(hass, "4711_1001") is not None
    assert entity_id_for(hass, "4711_1001", "select") is not None


# --- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["500", "malformed", "success_false", "empty_list", "429"])
async def test_entities_unavailable_while_divera_fails_and_back_after(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    await setup_entry(hass, divera_entry)
    entity_ids = list(our_states(hass))
    assert len(entity_ids) == 7

    divera_sim.set_fault(fault, "/api/users")
    await poll(hass)
    await poll(hass)
    assert {state_of(hass, entity_id) for entity_id in entity_ids} == {STATE_UNAVAILABLE}
    # Nothing was removed while DIVERA answered nonsense.
    assert len(er.async_entries_for_config_entry(er.async_get(hass), divera_entry.entry_id)) == 10

    divera_sim.clear_faults()
    await poll(hass)
    await poll(hass)
    assert state_of(hass, member_sensor(hass, 1001)) == "Einsatzbereit"
    assert state_of(hass, count_sensor(hass, 4)) == "1"
    assert STATE_UNAVAILABLE not in {state_of(hass, entity_id) for entity_id in entity_ids}

    records = [r for r in caplog.records if r.name == COORDINATOR_LOGGER]
    failures = [r for r in records if r.levelno >= logging.WARNING]
    recoveries = [r for r in records if "recovered" in r.getMessage()]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    assert "Feuerwehr Musterstadt" in failures[0].getMessage()
    assert len(recoveries) == 1


async def test_timeout_makes_entities_unavailable(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    users = len(divera_sim.requests_to("/api/users"))
    divera_sim.set_fault("timeout", "/api/users")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await wait_for_request(divera_sim, "/api/users", users + 1)
    assert state_of(hass, member_sensor(hass, 1001)) == "Einsatzbereit"

    # Past the client's 15 s timeout of the request in flight.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31 + 16))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, member_sensor(hass, 1001)) == STATE_UNAVAILABLE

    divera_sim.clear_faults()
    await poll(hass, seconds=31 + 16 + 31)
    assert state_of(hass, member_sensor(hass, 1001)) == "Einsatzbereit"


async def test_refused_key_while_polling_starts_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    assert hass.config_entries.flow.async_progress() == []
    divera_sim.set_fault("403", "/api/users")
    await poll(hass)

    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == divera_entry.entry_id
    assert state_of(hass, member_sensor(hass, 1001)) == STATE_UNAVAILABLE


async def test_unknown_key_while_polling_starts_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    divera_sim.system_keys = {"SYSTEM-KEY-SECRET-NEW"}
    await poll(hass)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


# --- member selects ---------------------------------------------------------------------------


async def enable_selects(hass: HomeAssistant, entry: MockConfigEntry, *ucrs: int) -> list[str]:
    """Enable members' selects in the entity registry and reload, as a user would."""
    registry = er.async_get(hass)
    entity_ids = []
    for ucr in ucrs:
        entity_id = entity_id_for(hass, f"4711_{ucr}", "select")
        assert entity_id is not None
        registry.async_update_entity(entity_id, disabled_by=None)
        entity_ids.append(entity_id)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return entity_ids


async def test_member_selects_are_disabled_by_default(
    hass: HomeAssistant, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    registry = er.async_get(hass)
    for ucr in (1001, 1002, 1003):
        entity_id = entity_id_for(hass, f"4711_{ucr}", "select")
        assert entity_id is not None
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(entity_id) is None


async def test_member_select_sets_status_from_the_dashboard(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    hass_admin_user: MockUser,
) -> None:
    await setup_entry(hass, divera_entry)
    (select,) = await enable_selects(hass, divera_entry, 1002)
    state = hass.states.get(select)
    assert state is not None
    assert state.state == "Nicht einsatzbereit"
    assert state.attributes["options"] == STATUS_NAMES
    assert state.attributes["friendly_name"] == "Feuerwehr Musterstadt Erika Musterfrau"
    events = async_capture_events(hass, EVENT_STATUS_SET)
    users = len(divera_sim.requests_to("/api/users"))

    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "10 Minuten"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )

    (request,) = divera_sim.requests_to("/api/setstatus")
    assert (request.method, request.query["person"], request.query["Status[id]"]) == (
        "POST",
        "0451D5E6F7",
        "3",
    )
    assert state_of(hass, select) == "10 Minuten"
    assert state_of(hass, member_sensor(hass, 1002)) == "10 Minuten"
    assert len(divera_sim.requests_to("/api/users")) == users
    assert len(events) == 1
    assert events[0].data["source"] == "dashboard"
    assert events[0].data["member"] == "Erika Musterfrau"
    assert events[0].data["user_id"] == hass_admin_user.id


async def test_member_select_of_a_member_without_foreign_id(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    (select,) = await enable_selects(hass, divera_entry, 1003)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: select, ATTR_OPTION: "Einsatzbereit"},
            blocking=True,
        )
    assert err.value.translation_key == "member_without_foreign_id"
    assert divera_sim.requests_to("/api/setstatus") == []
    assert state_of(hass, select) == "5 Minuten"


async def test_member_select_offers_status_ids_where_names_are_refused(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    divera_sim.system_key_may_pull = False
    await setup_entry(hass, divera_entry)
    (select,) = await enable_selects(hass, divera_entry, 1001)
    state = hass.states.get(select)
    assert state is not None
    assert state.state == "1"
    assert state.attributes["options"] == ["1", "2", "4"]

    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "4"},
        blocking=True,
    )
    assert divera_sim.requests_to("/api/setstatus")[0].query["Status[id]"] == "4"
    assert state_of(hass, select) == "4"
