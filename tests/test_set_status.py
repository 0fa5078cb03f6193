"""The divera_access.set_status action for members of a unit (System-Benutzer key)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.divera_access.const import DOMAIN, EVENT_STATUS_SET
from tests.conftest import setup_entry, wait_for_request
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("secrets_never_logged")

SET_STATUS = "/api/setstatus"


def sensor_for(hass: HomeAssistant, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None
    return entity_id


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


@pytest.fixture
def status_events(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []

    @callback
    def _record(event: Event) -> None:
        events.append(event)

    hass.bus.async_listen(EVENT_STATUS_SET, _record)
    return events


async def set_status(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, "set_status", data, blocking=True)


def sent(sim: DiveraSimulator) -> list[tuple[str, str | None, str | None]]:
    """What reached /api/setstatus: method, person and status id."""
    return [
        (request.method, request.query.get("person"), request.query.get("Status[id]"))
        for request in sim.requests_to(SET_STATUS)
    ]


# --- success ----------------------------------------------------------------------------------


async def test_set_status_by_foreign_id_and_name(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    status_events: list[Event],
) -> None:
    await setup_entry(hass, divera_entry)
    erika = sensor_for(hass, "4711_1002")
    assert state_of(hass, erika) == "Nicht einsatzbereit"
    users = len(divera_sim.requests_to("/api/users"))

    await set_status(hass, foreign_id="0451d5e6f7", status="einsatzbereit")

    state = hass.states.get(erika)
    assert state is not None
    assert state.state == "Einsatzbereit"
    assert state.attributes["status_id"] == 1
    assert len(divera_sim.requests_to("/api/users")) == users
    assert sent(divera_sim) == [("POST", "0451D5E6F7", "1")]
    assert divera_sim.members[102].status_id == 1
    assert len(status_events) == 1
    assert status_events[0].data == {
        "entry_id": divera_entry.entry_id,
        "unit": "Feuerwehr Musterstadt",
        "member": "Erika Musterfrau",
        "foreign_id": "0451D5E6F7",
        "from_status": "Nicht einsatzbereit",
        "to_status": "Einsatzbereit",
        "from_status_id": 4,
        "to_status_id": 1,
        "source": "action",
        "entity_id": state.entity_id,
    }
    # The counts follow at once as well.
    ready = hass.states.get(
        er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "4711_status_1")
    )
    assert ready is not None
    assert ready.attributes["members"] == ["Erika Musterfrau", "Max Mustermann"]


@pytest.mark.parametrize(
    ("status", "expected_id", "expected_name"),
    [
        ("5 minuten", "2", "5 Minuten"),
        ("Fünf Minuten", "2", "5 Minuten"),
        ("NICHT-EINSATZBEREIT", "4", "Nicht einsatzbereit"),
        (3, "3", "10 Minuten"),
        ("3", "3", "10 Minuten"),
    ],
)
async def test_set_status_by_entity_and_status_id_or_name(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    status_events: list[Event],
    *,
    status: str | int,
    expected_id: str,
    expected_name: str,
) -> None:
    await setup_entry(hass, divera_entry)
    max_sensor = sensor_for(hass, "4711_1001")

    await set_status(hass, entity_id=max_sensor, status=status)

    assert sent(divera_sim) == [("POST", "0451A2B3C4", expected_id)]
    assert state_of(hass, max_sensor) == expected_name
    assert [event.data["to_status"] for event in status_events] == [expected_name]


async def test_set_status_without_status_names(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    """With names refused DIVERA alone judges the id, and names cannot be resolved."""
    divera_sim.system_key_may_pull = False
    await setup_entry(hass, divera_entry)
    max_sensor = sensor_for(hass, "4711_1001")

    await set_status(hass, foreign_id="0451A2B3C4", status=4)
    assert state_of(hass, max_sensor) == "4"

    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status="Einsatzbereit")
    assert err.value.translation_key == "unknown_status"
    assert sent(divera_sim) == [("POST", "0451A2B3C4", "4")]


# --- validation: nothing is sent --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"foreign_id": "NOBODY", "status": 1}, "unknown_foreign_id"),
        ({"foreign_id": "0451A2B3C4", "status": "Kaffeepause"}, "unknown_status"),
        ({"foreign_id": "0451A2B3C4", "status": 99}, "unknown_status"),
        ({"foreign_id": "0451A2B3C4", "status": "0"}, "unknown_status"),
        ({"foreign_id": "X" * 21, "status": 1}, "foreign_id_too_long"),
        ({"status": 1}, "missing_member"),
        ({"foreign_id": "   ", "status": 1}, "missing_member"),
    ],
)
async def test_invalid_calls_send_nothing(
    hass: HomeAssistant,
    *,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    status_events: list[Event],
    data: dict[str, Any],
    key: str,
) -> None:
    await setup_entry(hass, divera_entry)
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert str(err.value) != key  # a translated message, not the bare key
    assert divera_sim.requests_to(SET_STATUS) == []
    assert status_events == []
    assert state_of(hass, sensor_for(hass, "4711_1001")) == "Einsatzbereit"


async def test_messages_are_translated(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, foreign_id="X" * 21, status=1)
    assert str(err.value) == "A foreign key has at most 20 characters"
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status="Kaffeepause")
    assert str(err.value) == (
        'Unknown status "Kaffeepause". '
        "Known: Einsatzbereit, 5 Minuten, 10 Minuten, Nicht einsatzbereit"
    )


async def test_member_without_foreign_id(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    jonas = sensor_for(hass, "4711_1003")
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, entity_id=jonas, status=1)
    assert err.value.translation_key == "member_without_foreign_id"
    assert err.value.translation_placeholders == {"member": "Jonas Schmidt"}
    assert divera_sim.requests_to(SET_STATUS) == []
    assert state_of(hass, jonas) == "5 Minuten"


async def test_entity_that_is_no_member(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    count = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "4711_status_1")
    assert count is not None
    for entity_id in (count, "sensor.not_there"):
        with pytest.raises(ServiceValidationError) as err:
            await set_status(hass, entity_id=entity_id, status=1)
        assert err.value.translation_key == "not_a_member_entity"
    assert divera_sim.requests_to(SET_STATUS) == []


async def test_no_unit_loaded(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    assert await hass.config_entries.async_unload(divera_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status=1)
    assert err.value.translation_key == "no_divera_unit"
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status=1, config_entry_id="nope")
    assert err.value.translation_key == "service_config_entry_not_found"
    assert divera_sim.requests_to(SET_STATUS) == []


# --- API failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ("500", "invalid_response"),
        ("malformed", "invalid_response"),
        ("success_false", "server_refused"),
        ("429", "rate_limited"),
        ("401", "auth_failed"),
    ],
)
async def test_api_failure_keeps_the_old_state(
    hass: HomeAssistant,
    *,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    status_events: list[Event],
    fault: str,
    key: str,
) -> None:
    await setup_entry(hass, divera_entry)
    max_sensor = sensor_for(hass, "4711_1001")
    divera_sim.set_fault(fault, SET_STATUS)

    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status="Nicht einsatzbereit")

    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert str(err.value) != key
    assert sent(divera_sim) == [("POST", "0451A2B3C4", "4")]
    assert state_of(hass, max_sensor) == "Einsatzbereit"
    assert status_events == []


async def test_server_refusal_tells_the_servers_reason(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    divera_sim.set_fault("success_false", SET_STATUS)
    divera_sim.refusal = {"errors": {"person": ["Person nicht gefunden."]}}
    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status=2)
    assert err.value.translation_placeholders == {"message": "Person nicht gefunden."}
    assert str(err.value) == "The server refused: Person nicht gefunden."


async def test_refused_key_during_an_action_starts_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    divera_sim.set_fault("403", SET_STATUS)
    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status=2)
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    assert flows[0]["context"]["entry_id"] == divera_entry.entry_id


async def test_timeout_keeps_the_old_state(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    status_events: list[Event],
) -> None:
    await setup_entry(hass, divera_entry)
    max_sensor = sensor_for(hass, "4711_1001")
    divera_sim.set_fault("timeout", SET_STATUS)

    call = hass.async_create_task(set_status(hass, foreign_id="0451A2B3C4", status=2))
    await wait_for_request(divera_sim, SET_STATUS)
    assert not call.done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=16))
    with pytest.raises(HomeAssistantError) as err:
        async with asyncio.timeout(5):
            await call
    assert err.value.translation_key == "cannot_connect"
    assert state_of(hass, max_sensor) == "Einsatzbereit"
    assert divera_sim.members[101].status_id == 1
    assert status_events == []


# --- several units ----------------------------------------------------------------------------


async def test_several_units_with_the_same_foreign_id(
    hass: HomeAssistant,
    *,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    second_divera_sim: DiveraSimulator,
    second_divera_entry: MockConfigEntry,
    status_events: list[Event],
) -> None:
    await setup_entry(hass, divera_entry)  # sets up every entry of the domain
    assert second_divera_entry.state is ConfigEntryState.LOADED
    petra = sensor_for(hass, "4712_2001")
    max_sensor = sensor_for(hass, "4711_1001")

    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, foreign_id="0451A2B3C4", status=1)
    assert err.value.translation_key == "several_units"
    assert divera_sim.requests_to(SET_STATUS) == []
    assert second_divera_sim.requests_to(SET_STATUS) == []

    await set_status(
        hass,
        foreign_id="0451A2B3C4",
        status="Einsatzbereit",
        **{ATTR_CONFIG_ENTRY_ID: second_divera_entry.entry_id},
    )
    assert sent(second_divera_sim) == [("POST", "0451A2B3C4", "1")]
    assert divera_sim.requests_to(SET_STATUS) == []
    assert state_of(hass, petra) == "Einsatzbereit"
    assert state_of(hass, max_sensor) == "Einsatzbereit"
    assert [event.data["entry_id"] for event in status_events] == [second_divera_entry.entry_id]

    # A foreign id only one unit knows needs no config entry.
    await set_status(hass, foreign_id="0451D5E6F7", status=2)
    assert sent(divera_sim) == [("POST", "0451D5E6F7", "2")]

    # An entity of one unit with the config entry of the other is refused.
    with pytest.raises(ServiceValidationError) as err:
        await set_status(
            hass,
            status=1,
            **{ATTR_ENTITY_ID: petra, ATTR_CONFIG_ENTRY_ID: divera_entry.entry_id},
        )
    assert err.value.translation_key == "not_a_member_entity"
    # A foreign id unknown in the unit chosen is unknown, even if another unit has it.
    with pytest.raises(ServiceValidationError) as err:
        await set_status(
            hass,
            foreign_id="0451D5E6F7",
            status=1,
            **{ATTR_CONFIG_ENTRY_ID: second_divera_entry.entry_id},
        )
    assert err.value.translation_key == "unknown_foreign_id"
    assert len(second_divera_sim.requests_to(SET_STATUS)) == 1


async def test_config_entry_of_another_kind_or_not_loaded(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    biostar_entry: MockConfigEntry,
) -> None:
    await setup_entry(hass, divera_entry)  # sets up the BioStar entry too
    assert biostar_entry.state is ConfigEntryState.LOADED
    with pytest.raises(ServiceValidationError) as err:
        await set_status(
            hass, foreign_id="0451A2B3C4", status=1, config_entry_id=biostar_entry.entry_id
        )
    assert err.value.translation_key == "wrong_config_entry"

    assert await hass.config_entries.async_unload(divera_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await set_status(
            hass, foreign_id="0451A2B3C4", status=1, config_entry_id=divera_entry.entry_id
        )
    assert err.value.translation_key == "service_config_entry_not_loaded"
    assert divera_sim.requests_to(SET_STATUS) == []
