"""A member's own key: their status sensor and select, and setting their own status."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.components.select import SERVICE_SELECT_OPTION
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_ENTITY_ID, ATTR_OPTION, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import DOMAIN, EVENT_STATUS_SET
from tests.conftest import poll, setup_entry
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("secrets_never_logged")

SET_OWN = "/api/v2/statusgeber/set-status"
STATUS_NAMES = ["Einsatzbereit", "5 Minuten", "10 Minuten", "Nicht einsatzbereit"]


def entity_for(hass: HomeAssistant, platform: str, unique_id: str = "4711_1001_status") -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None
    return entity_id


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def own_status_bodies(sim: DiveraSimulator) -> list[Any]:
    return [(request.method, request.json) for request in sim.requests_to(SET_OWN)]


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


async def test_member_sensor_and_select(
    hass: HomeAssistant, divera_sim: DiveraSimulator, personal_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, personal_entry)
    sensor = hass.states.get(entity_for(hass, "sensor"))
    assert sensor is not None
    assert sensor.state == "Einsatzbereit"
    assert sensor.attributes["device_class"] == "enum"
    assert sensor.attributes["options"] == STATUS_NAMES
    assert sensor.attributes["status_id"] == 1
    assert sensor.attributes["friendly_name"] == "Max Mustermann Status"

    select = hass.states.get(entity_for(hass, "select"))
    assert select is not None
    assert select.state == "Einsatzbereit"
    assert select.attributes["options"] == STATUS_NAMES

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, "divera_4711_1001"), personal_entry.entry_id
    )
    assert device is not None
    assert device.name == "Max Mustermann"
    assert device.model == "Feuerwehr Musterstadt"
    # A member's key never reads the unit's member list.
    assert divera_sim.requests_to("/api/users") == []

    divera_sim.set_member_status(101, 3)
    await poll(hass)
    assert state_of(hass, entity_for(hass, "sensor")) == "10 Minuten"
    assert state_of(hass, entity_for(hass, "select")) == "10 Minuten"


@pytest.mark.parametrize("with_entry_id", [True, False])
async def test_set_own_status_with_the_action(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    personal_entry: MockConfigEntry,
    status_events: list[Event],
    with_entry_id: bool,
) -> None:
    """The config entry may be left out while it is the only DIVERA entry."""
    await setup_entry(hass, personal_entry)
    pulls = len(divera_sim.requests_to("/api/v2/pull/all"))
    data: dict[str, Any] = {"status": "nicht einsatzbereit"}
    if with_entry_id:
        data[ATTR_CONFIG_ENTRY_ID] = personal_entry.entry_id

    await set_status(hass, **data)

    assert own_status_bodies(divera_sim) == [("POST", {"Status": {"id": 4}})]
    assert divera_sim.requests_to("/api/setstatus") == []
    assert divera_sim.members[101].status_id == 4
    assert state_of(hass, entity_for(hass, "sensor")) == "Nicht einsatzbereit"
    assert state_of(hass, entity_for(hass, "select")) == "Nicht einsatzbereit"
    assert len(divera_sim.requests_to("/api/v2/pull/all")) == pulls
    assert [event.data for event in status_events] == [
        {
            "entry_id": personal_entry.entry_id,
            "unit": "Feuerwehr Musterstadt",
            "member": "Max Mustermann",
            "foreign_id": None,
            "from_status": "Einsatzbereit",
            "to_status": "Nicht einsatzbereit",
            "from_status_id": 1,
            "to_status_id": 4,
            "source": "action",
            "entity_id": entity_for(hass, "sensor"),
        }
    ]


async def test_set_own_status_by_entity(
    hass: HomeAssistant, divera_sim: DiveraSimulator, personal_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, personal_entry)
    await set_status(hass, entity_id=entity_for(hass, "sensor"), status=2)
    assert own_status_bodies(divera_sim) == [("POST", {"Status": {"id": 2}})]
    assert state_of(hass, entity_for(hass, "sensor")) == "5 Minuten"


async def test_select_sets_own_status(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    personal_entry: MockConfigEntry,
    status_events: list[Event],
) -> None:
    await setup_entry(hass, personal_entry)
    select = entity_for(hass, "select")

    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "5 Minuten"},
        blocking=True,
    )

    assert own_status_bodies(divera_sim) == [("POST", {"Status": {"id": 2}})]
    assert state_of(hass, select) == "5 Minuten"
    assert state_of(hass, entity_for(hass, "sensor")) == "5 Minuten"
    assert [event.data["source"] for event in status_events] == ["dashboard"]

    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: select, ATTR_OPTION: "Kaffeepause"},
            blocking=True,
        )
    assert len(divera_sim.requests_to(SET_OWN)) == 1


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"status": "Kaffeepause"}, "unknown_status"),
        ({"status": 1, "foreign_id": "0451A2B3C4"}, "foreign_id_needs_system_key"),
    ],
)
async def test_invalid_own_status_calls_send_nothing(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    personal_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    await setup_entry(hass, personal_entry)
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, **data, config_entry_id=personal_entry.entry_id)
    assert err.value.translation_key == key
    assert divera_sim.requests_to(SET_OWN) == []
    assert divera_sim.requests_to("/api/setstatus") == []


async def test_member_and_unit_loaded_together(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    personal_entry: MockConfigEntry,
) -> None:
    await setup_entry(hass, divera_entry)  # sets up both entries of the domain
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, status=1)
    assert err.value.translation_key == "missing_member"
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, status=1, config_entry_id=divera_entry.entry_id)
    assert err.value.translation_key == "missing_member"
    assert divera_sim.requests_to(SET_OWN) == []
    assert divera_sim.requests_to("/api/setstatus") == []

    await set_status(hass, status=3, config_entry_id=personal_entry.entry_id)
    assert own_status_bodies(divera_sim) == [("POST", {"Status": {"id": 3}})]
    # The unit shows it with its next poll.
    await poll(hass)
    unit_sensor = entity_for(hass, "sensor", "4711_1001")
    assert state_of(hass, unit_sensor) == "10 Minuten"


@pytest.mark.parametrize(
    ("fault", "key"),
    [("500", "invalid_response"), ("success_false", "server_refused"), ("401", "auth_failed")],
)
async def test_own_status_failure_keeps_the_old_state(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    personal_entry: MockConfigEntry,
    fault: str,
    key: str,
) -> None:
    await setup_entry(hass, personal_entry)
    divera_sim.set_fault(fault, SET_OWN)
    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, status=2, config_entry_id=personal_entry.entry_id)
    assert err.value.translation_key == key
    assert len(divera_sim.requests_to(SET_OWN)) == 1
    assert state_of(hass, entity_for(hass, "sensor")) == "Einsatzbereit"
    assert state_of(hass, entity_for(hass, "select")) == "Einsatzbereit"


async def test_member_entities_unavailable_while_divera_fails(
    hass: HomeAssistant, divera_sim: DiveraSimulator, personal_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, personal_entry)
    divera_sim.set_fault("malformed")
    await poll(hass)
    assert state_of(hass, entity_for(hass, "sensor")) == STATE_UNAVAILABLE
    assert state_of(hass, entity_for(hass, "select")) == STATE_UNAVAILABLE
    divera_sim.clear_faults()
    await poll(hass)
    assert state_of(hass, entity_for(hass, "sensor")) == "Einsatzbereit"
    assert state_of(hass, entity_for(hass, "select")) == "Einsatzbereit"


async def test_member_key_revoked_while_polling_starts_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, personal_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, personal_entry)
    divera_sim.members[101].access_key = "PERSONAL-KEY-MAX-NEW"
    await poll(hass)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == personal_entry.entry_id
    assert state_of(hass, entity_for(hass, "sensor")) == STATE_UNAVAILABLE
