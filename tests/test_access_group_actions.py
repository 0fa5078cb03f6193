"""The four BioStar access-group actions, through Home Assistant against the simulator."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import DOMAIN
from tests.conftest import biostar_data, biostar_session_ids, biostar_unique_id, setup_entry
from tests.simulators.biostar import DEFAULT_PASSWORD, BiostarSimulator, start_simulator

pytestmark = pytest.mark.usefixtures("biostar_secrets_never_logged")

CREATE = "create_access_group"
ADD = "add_access_group_members"
REMOVE = "remove_access_group_members"
DELETE = "delete_access_group"

MAX, ERIKA, JONAS, LEA = 1750, 1751, 1752, 1753
MAX_CARD, ERIKA_CARD, UNASSIGNED_CARD = "0451A2B3C4", "0451D5E6F7", "0999999999"
ATEMSCHUTZ, MASCHINISTEN = 10871, 10872


async def call(hass: HomeAssistant, service: str, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


def writes(sim: BiostarSimulator) -> list[tuple[str, str, Any]]:
    """Every request that changes something (logins and logouts aside)."""
    return [
        (request.method, request.path, request.json)
        for request in sim.requests
        if request.method in {"PUT", "POST", "DELETE"}
        and request.path not in {"/api/login", "/api/logout"}
    ]


def polls(sim: BiostarSimulator) -> int:
    return len(sim.requests_to("/api/access_groups", "GET"))


def sensor(hass: HomeAssistant, entry: MockConfigEntry, group_id: int) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_access_group_{group_id}"
    )


def shown(hass: HomeAssistant, entry: MockConfigEntry, group_id: int) -> dict[str, Any]:
    """What the group's sensor shows: state and the membership attributes."""
    entity_id = sensor(hass, entry, group_id)
    assert entity_id is not None, f"no sensor for access group {group_id}"
    state = hass.states.get(entity_id)
    assert state is not None
    return {
        "state": state.state,
        "users": state.attributes["user_ids"],
        "user_groups": state.attributes["user_group_ids"],
        "access_levels": state.attributes["access_level_ids"],
    }


def on_server(sim: BiostarSimulator, group_id: int) -> dict[str, Any]:
    group = sim.access_groups[group_id]
    return {
        "state": str(len(group.users)),
        "users": group.users,
        "user_groups": group.user_groups,
        "access_levels": group.access_levels,
    }


@pytest.fixture
async def entry(hass: HomeAssistant, biostar_entry: MockConfigEntry) -> MockConfigEntry:
    """The small server, set up."""
    await setup_entry(hass, biostar_entry)
    return biostar_entry


# --- create_access_group ----------------------------------------------------------------------


async def test_create_access_group(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    polls_before = polls(biostar_sim)

    await call(
        hass,
        CREATE,
        name="Atemschutzlager",
        description="Nur Geräteträger",
        users=[JONAS, str(LEA), JONAS],
        user_groups=[ATEMSCHUTZ],
        access_levels=[53, 54],
    )
    await hass.async_block_till_done()

    assert writes(biostar_sim) == [
        (
            "POST",
            "/api/access_groups",
            {
                "AccessGroup": {
                    "name": "Atemschutzlager",
                    "description": "Nur Geräteträger",
                    "users": [{"user_id": JONAS}, {"user_id": LEA}],
                    "user_groups": [{"id": ATEMSCHUTZ}],
                    "access_levels": [{"id": 53}, {"id": 54}],
                    "floor_levels": [],
                }
            },
        )
    ]
    created = biostar_sim.group_by_name("Atemschutzlager")
    assert created is not None
    assert created.description == "Nur Geräteträger"
    assert shown(hass, entry, created.id) == {
        "state": "2",
        "users": [JONAS, LEA],
        "user_groups": [ATEMSCHUTZ],
        "access_levels": [53, 54],
    }
    state = hass.states.get(sensor(hass, entry, created.id) or "")
    assert state is not None
    assert state.attributes["friendly_name"] == "BioStar 127.0.0.1 Atemschutzlager"
    assert state.attributes["access_group_id"] == created.id
    assert polls(biostar_sim) == polls_before  # shown without waiting for a poll


async def test_create_access_group_with_a_name_only(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await call(hass, CREATE, name="  Lager ")
    await hass.async_block_till_done()

    assert writes(biostar_sim)[0][2] == {
        "AccessGroup": {
            "name": "Lager",
            "description": "",
            "users": [],
            "user_groups": [],
            "access_levels": [],
            "floor_levels": [],
        }
    }
    assert shown(hass, entry, 3) == {
        "state": "0",
        "users": [],
        "user_groups": [],
        "access_levels": [],
    }


async def test_create_access_group_when_biostar_does_not_tell_the_new_id(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    biostar_sim.return_created_id = False

    await call(hass, CREATE, name="Lager", users=[LEA])
    await hass.async_block_till_done()

    assert shown(hass, entry, 3)["users"] == [LEA]


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        ({"name": "Wache Tor"}, "access_group_exists", {"name": "Wache Tor"}),
        ({"name": "Lager", "users": [9999]}, "unknown_user", {"users": "9999"}),
        ({"name": "Lager", "users": ["Max"]}, "invalid_user_id", {"value": "Max"}),
        ({"name": "Lager", "user_groups": ["x"]}, "invalid_user_group_id", {"value": "x"}),
        ({"name": "Lager", "access_levels": ["-1"]}, "invalid_access_level_id", {"value": "-1"}),
        ({"name": "   "}, "invalid_access_group_name", None),
    ],
)
async def test_create_access_group_validation_sends_nothing(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, CREATE, **data)

    assert exc_info.value.translation_key == key
    assert exc_info.value.translation_placeholders == placeholders
    assert writes(biostar_sim) == []
    assert len(biostar_sim.access_groups) == 2
    assert len(er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)) == 2


async def test_create_access_group_refused_by_biostar(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    """BioStar compares names without case; its message reaches the user."""
    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, CREATE, name="wache tor")

    err = exc_info.value
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == "server_refused"
    assert err.translation_placeholders == {
        "message": "Access group name 'wache tor' already exists."
    }
    assert "Access group name 'wache tor' already exists." in str(err)
    assert len(biostar_sim.access_groups) == 2


# --- add_access_group_members -----------------------------------------------------------------


@pytest.mark.parametrize("access_group", [1, "1", "Wache Tor"])
async def test_add_users_by_group_id_or_name(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    access_group: Any,
) -> None:
    polls_before = polls(biostar_sim)

    await call(hass, ADD, access_group=access_group, users=[ERIKA, str(JONAS)])

    assert writes(biostar_sim) == [
        (
            "PUT",
            "/api/access_groups/1",
            {"AccessGroup": {"new_users": [{"user_id": ERIKA}, {"user_id": JONAS}]}},
        )
    ]
    expected = {
        "state": "3",
        "users": [MAX, ERIKA, JONAS],
        "user_groups": [ATEMSCHUTZ],
        "access_levels": [53],
    }
    assert on_server(biostar_sim, 1) == expected
    assert shown(hass, entry, 1) == expected  # at once, no poll
    assert polls(biostar_sim) == polls_before
    assert on_server(biostar_sim, 2)["users"] == []


async def test_add_users_by_card(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    erika_display = biostar_sim.cards[2].display_card_id
    assert erika_display != ERIKA_CARD

    await call(hass, ADD, access_group="Fahrzeughalle", cards=["04:51:a2:b3:c4", erika_display])

    assert writes(biostar_sim) == [
        (
            "PUT",
            "/api/access_groups/2",
            {"AccessGroup": {"new_users": [{"user_id": MAX}, {"user_id": ERIKA}]}},
        )
    ]
    assert shown(hass, entry, 2)["users"] == [MAX, ERIKA]


async def test_add_user_groups_keeps_the_groups_already_there(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await call(hass, ADD, access_group=1, user_groups=[MASCHINISTEN])

    assert writes(biostar_sim) == [
        (
            "PUT",
            "/api/access_groups/1",
            {"AccessGroup": {"user_groups": [{"id": ATEMSCHUTZ}, {"id": MASCHINISTEN}]}},
        )
    ]
    assert biostar_sim.access_groups[1].user_groups == [ATEMSCHUTZ, MASCHINISTEN]
    assert biostar_sim.access_groups[1].users == [MAX]
    assert shown(hass, entry, 1)["user_groups"] == [ATEMSCHUTZ, MASCHINISTEN]


async def test_add_users_cards_and_user_groups_in_one_change(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await call(
        hass,
        ADD,
        access_group="Fahrzeughalle",
        users=[LEA, MAX],
        cards=[MAX_CARD, ERIKA_CARD],
        user_groups=[ATEMSCHUTZ],
    )

    assert writes(biostar_sim) == [
        (
            "PUT",
            "/api/access_groups/2",
            {
                "AccessGroup": {
                    "new_users": [{"user_id": LEA}, {"user_id": MAX}, {"user_id": ERIKA}],
                    "user_groups": [{"id": MASCHINISTEN}, {"id": ATEMSCHUTZ}],
                }
            },
        )
    ]
    assert shown(hass, entry, 2) == on_server(biostar_sim, 2)
    assert shown(hass, entry, 2)["users"] == [LEA, MAX, ERIKA]


async def test_adding_existing_members_succeeds_without_a_change(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    before = shown(hass, entry, 1)

    await call(hass, ADD, access_group=1, users=[MAX], cards=[MAX_CARD], user_groups=[ATEMSCHUTZ])

    assert writes(biostar_sim) == []
    assert shown(hass, entry, 1) == before == on_server(biostar_sim, 1)


# --- remove_access_group_members --------------------------------------------------------------


async def test_remove_users(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    biostar_sim.access_groups[1].users = [MAX, ERIKA, JONAS]

    await call(hass, REMOVE, access_group="Wache Tor", users=[MAX], cards=[ERIKA_CARD])

    assert writes(biostar_sim) == [
        (
            "PUT",
            "/api/access_groups/1",
            {"AccessGroup": {"delete_users": [{"user_id": MAX}, {"user_id": ERIKA}]}},
        )
    ]
    assert shown(hass, entry, 1) == {
        "state": "1",
        "users": [JONAS],
        "user_groups": [ATEMSCHUTZ],
        "access_levels": [53],
    }
    assert on_server(biostar_sim, 1) == shown(hass, entry, 1)


async def test_remove_user_groups_keeps_the_rest(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    biostar_sim.access_groups[1].user_groups = [ATEMSCHUTZ, MASCHINISTEN]

    await call(hass, REMOVE, access_group=1, user_groups=[ATEMSCHUTZ])

    assert writes(biostar_sim) == [
        ("PUT", "/api/access_groups/1", {"AccessGroup": {"user_groups": [{"id": MASCHINISTEN}]}})
    ]
    assert biostar_sim.access_groups[1].user_groups == [MASCHINISTEN]
    assert biostar_sim.access_groups[1].users == [MAX]
    assert shown(hass, entry, 1)["user_groups"] == [MASCHINISTEN]


async def test_removing_the_last_user_group_sends_an_empty_list(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await call(hass, REMOVE, access_group=1, user_groups=[ATEMSCHUTZ], users=[MAX])

    assert writes(biostar_sim) == [
        (
            "PUT",
            "/api/access_groups/1",
            {"AccessGroup": {"delete_users": [{"user_id": MAX}], "user_groups": []}},
        )
    ]
    assert shown(hass, entry, 1) == {
        "state": "0",
        "users": [],
        "user_groups": [],
        "access_levels": [53],
    }


async def test_removing_non_members_succeeds_without_a_change(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    before = shown(hass, entry, 1)

    await call(
        hass, REMOVE, access_group=1, users=[ERIKA], cards=[ERIKA_CARD], user_groups=[MASCHINISTEN]
    )

    assert writes(biostar_sim) == []
    assert shown(hass, entry, 1) == before == on_server(biostar_sim, 1)


# --- delete_access_group ----------------------------------------------------------------------


@pytest.mark.parametrize("access_group", [2, "Fahrzeughalle"])
async def test_delete_access_group(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    access_group: Any,
) -> None:
    entity_id = sensor(hass, entry, 2)
    assert entity_id is not None
    polls_before = polls(biostar_sim)

    await call(hass, DELETE, access_group=access_group)
    await hass.async_block_till_done()

    assert writes(biostar_sim) == [("DELETE", "/api/access_groups/2", None)]
    assert 2 not in biostar_sim.access_groups
    assert sensor(hass, entry, 2) is None
    assert hass.states.get(entity_id) is None
    assert shown(hass, entry, 1)["users"] == [MAX]
    assert polls(biostar_sim) == polls_before


async def test_delete_unknown_access_group_sends_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, DELETE, access_group="Lager")

    assert exc_info.value.translation_key == "unknown_access_group"
    assert exc_info.value.translation_placeholders == {"access_group": "Lager"}
    assert writes(biostar_sim) == []


async def test_a_new_group_can_be_filled_and_deleted_again(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await call(hass, CREATE, name="Lager")
    await call(hass, ADD, access_group="Lager", users=[LEA], user_groups=[MASCHINISTEN])
    await hass.async_block_till_done()
    assert shown(hass, entry, 3)["users"] == [LEA]
    assert shown(hass, entry, 3)["user_groups"] == [MASCHINISTEN]

    await call(hass, DELETE, access_group="Lager")
    await hass.async_block_till_done()
    assert sensor(hass, entry, 3) is None

    # The name is free again, and a group of that name can be made anew.
    await call(hass, CREATE, name="Lager", users=[MAX])
    await hass.async_block_till_done()
    created = biostar_sim.group_by_name("Lager")
    assert created is not None
    assert shown(hass, entry, created.id)["users"] == [MAX]


# --- validation before anything is sent -------------------------------------------------------


@pytest.mark.parametrize("service", [ADD, REMOVE])
@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        ({"access_group": 99, "users": [MAX]}, "unknown_access_group", {"access_group": "99"}),
        (
            {"access_group": "wache tor", "users": [MAX]},
            "unknown_access_group",
            {"access_group": "wache tor"},
        ),
        (
            {"access_group": 1, "users": [ERIKA, 9999, 9998]},
            "unknown_user",
            {"users": "9999, 9998"},
        ),
        ({"access_group": 1, "users": ["Erika"]}, "invalid_user_id", {"value": "Erika"}),
        ({"access_group": 1, "cards": ["DEADBEEF"]}, "unknown_card", {"card": "DEADBEEF"}),
        (
            {"access_group": 1, "cards": [UNASSIGNED_CARD]},
            "unknown_card",
            {"card": UNASSIGNED_CARD},
        ),
        (
            {"access_group": 1, "users": [ERIKA], "cards": [ERIKA_CARD, "0000"]},
            "unknown_card",
            {"card": "0000"},
        ),
        (
            {"access_group": 1, "user_groups": ["Atemschutz"]},
            "invalid_user_group_id",
            {"value": "Atemschutz"},
        ),
        ({"access_group": 1}, "no_members_given", None),
        (
            {"access_group": 1, "users": [], "cards": [], "user_groups": []},
            "no_members_given",
            None,
        ),
    ],
)
async def test_member_validation_sends_nothing(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    service: str,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    before = shown(hass, entry, 1)

    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, service, **data)

    assert exc_info.value.translation_key == key
    assert exc_info.value.translation_placeholders == placeholders
    assert writes(biostar_sim) == []
    assert shown(hass, entry, 1) == before == on_server(biostar_sim, 1)


async def test_validation_messages_are_translated(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, ADD, access_group=1, cards=[UNASSIGNED_CARD])

    assert str(exc_info.value) == f"No user holds card {UNASSIGNED_CARD}"


async def test_no_biostar_server(hass: HomeAssistant, biostar_entry: MockConfigEntry) -> None:
    """The actions exist once the integration is set up, even with no server loaded."""
    assert await hass.config_entries.async_setup(biostar_entry.entry_id)
    assert await hass.config_entries.async_unload(biostar_entry.entry_id)

    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, ADD, access_group=1, users=[ERIKA])

    assert exc_info.value.translation_key == "no_biostar_server"


async def test_several_servers_need_a_config_entry_id(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    socket_enabled: None,
) -> None:
    other_sim = BiostarSimulator.small()
    runner, url = await start_simulator(other_sim)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1 (2)",
        unique_id=biostar_unique_id(url),
        data=biostar_data(url),
    )
    other.add_to_hass(hass)
    try:
        await setup_entry(hass, other)
        for service, data in (
            (ADD, {"access_group": 1, "users": [ERIKA]}),
            (REMOVE, {"access_group": 1, "users": [MAX]}),
            (CREATE, {"name": "Lager"}),
            (DELETE, {"access_group": 2}),
        ):
            with pytest.raises(ServiceValidationError) as exc_info:
                await call(hass, service, **data)
            assert exc_info.value.translation_key == "several_biostar_servers"
        assert writes(biostar_sim) == writes(other_sim) == []

        await call(
            hass, ADD, access_group=1, users=[ERIKA], **{ATTR_CONFIG_ENTRY_ID: other.entry_id}
        )

        assert writes(biostar_sim) == []
        assert [w[:2] for w in writes(other_sim)] == [("PUT", "/api/access_groups/1")]
        assert shown(hass, other, 1)["users"] == [MAX, ERIKA]
        assert shown(hass, entry, 1)["users"] == [MAX]
    finally:
        await hass.config_entries.async_unload(other.entry_id)
        await runner.cleanup()


async def test_config_entry_id_of_a_divera_unit_is_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    divera_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
) -> None:
    await setup_entry(hass, divera_entry)

    with pytest.raises(ServiceValidationError) as exc_info:
        await call(
            hass,
            ADD,
            access_group=1,
            users=[ERIKA],
            **{ATTR_CONFIG_ENTRY_ID: divera_entry.entry_id},
        )

    assert exc_info.value.translation_key == "wrong_config_entry"
    assert writes(biostar_sim) == []


# --- BioStar refuses or fails -----------------------------------------------------------------


async def test_refused_change_carries_biostars_message(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    biostar_sim.fault_message = "Access group is locked by another operator."
    biostar_sim.set_fault("error_code", "/api/access_groups/1", method="PUT")
    before = shown(hass, entry, 1)

    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, ADD, access_group=1, users=[ERIKA])

    err = exc_info.value
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == "server_refused"
    assert err.translation_placeholders == {
        "message": "Access group is locked by another operator."
    }
    assert str(err) == "The server refused: Access group is locked by another operator."
    assert shown(hass, entry, 1) == before == on_server(biostar_sim, 1)


async def test_unknown_user_group_is_refused_by_biostar_with_its_message(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, ADD, access_group=1, user_groups=[99999])

    assert exc_info.value.translation_key == "server_refused"
    assert exc_info.value.translation_placeholders == {
        "message": "User group 99999 does not exist."
    }
    assert biostar_sim.access_groups[1].user_groups == [ATEMSCHUTZ]
    assert shown(hass, entry, 1)["user_groups"] == [ATEMSCHUTZ]


async def test_refusal_message_never_shows_the_password_or_session(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    session_id = next(iter(biostar_sim.sessions))
    biostar_sim.fault_message = f"Session {session_id} of {DEFAULT_PASSWORD} refused."
    biostar_sim.set_fault("error_code", "/api/access_groups/1", method="PUT")

    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, REMOVE, access_group=1, users=[MAX])

    err = exc_info.value
    assert err.translation_key == "server_refused"
    for text in (str(err), repr(err), str(err.translation_placeholders)):
        assert session_id not in text
        assert DEFAULT_PASSWORD not in text
    assert "**REDACTED**" in str(err)


@pytest.mark.parametrize(
    ("fault", "key"),
    [("500", "invalid_response"), ("malformed", "invalid_response"), ("429", "rate_limited")],
)
async def test_server_failures_during_a_change(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    fault: str,
    key: str,
) -> None:
    biostar_sim.set_fault(fault, "/api/access_groups/1", method="PUT")

    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, ADD, access_group=1, users=[ERIKA])

    assert exc_info.value.translation_key == key
    assert biostar_sim.access_groups[1].users == [MAX]
    assert shown(hass, entry, 1)["users"] == [MAX]


async def test_refused_login_during_an_action(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    biostar_sim.credentials["admin"] = "Changed-Elsewhere-1"
    biostar_sim.expire_sessions()

    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, ADD, access_group=1, users=[ERIKA])

    assert exc_info.value.translation_key == "auth_failed"
    assert writes(biostar_sim) == []
    assert shown(hass, entry, 1)["users"] == [MAX]


async def test_unreachable_server(
    hass: HomeAssistant, closed_port_url: str, biostar_sim: BiostarSimulator
) -> None:
    runner, url = await start_simulator(biostar_sim)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(url),
        data=biostar_data(url),
    )
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)
    await runner.cleanup()

    with pytest.raises(HomeAssistantError) as exc_info:
        await call(hass, ADD, access_group=1, users=[ERIKA])

    assert exc_info.value.translation_key == "cannot_connect"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_expired_session_logs_in_once_and_applies_the_change(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    old_sessions = set(biostar_sim.sessions)
    logins = biostar_sim.login_count
    biostar_sim.expire_sessions()

    await call(
        hass, ADD, access_group=1, users=[ERIKA], cards=[ERIKA_CARD], user_groups=[MASCHINISTEN]
    )

    assert biostar_sim.login_count == logins + 1
    assert biostar_sim.sessions
    assert not biostar_sim.sessions & old_sessions
    assert [w[:2] for w in writes(biostar_sim)] == [("PUT", "/api/access_groups/1")]
    assert biostar_sim.access_groups[1].users == [MAX, ERIKA]
    assert biostar_sim.access_groups[1].user_groups == [ATEMSCHUTZ, MASCHINISTEN]
    assert shown(hass, entry, 1) == on_server(biostar_sim, 1)


async def test_session_expiring_between_read_and_write(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    logins = biostar_sim.login_count
    biostar_sim.set_fault("expire", "/api/access_groups/1", method="PUT", times=1)

    await call(hass, ADD, access_group=1, user_groups=[MASCHINISTEN])

    assert biostar_sim.login_count == logins + 1
    puts = [w for w in writes(biostar_sim) if w[0] == "PUT"]
    assert len(puts) == 2  # refused once for the session, then sent again
    assert puts[0][2] == puts[1][2]
    assert biostar_sim.access_groups[1].user_groups == [ATEMSCHUTZ, MASCHINISTEN]
    assert shown(hass, entry, 1)["user_groups"] == [ATEMSCHUTZ, MASCHINISTEN]


async def test_concurrent_actions_after_expiry_share_one_login(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    logins = biostar_sim.login_count
    biostar_sim.expire_sessions()

    await asyncio.gather(
        call(hass, ADD, access_group=1, users=[ERIKA]),
        call(hass, ADD, access_group=1, users=[JONAS]),
        call(hass, ADD, access_group=2, cards=[MAX_CARD]),
        call(hass, REMOVE, access_group=1, user_groups=[ATEMSCHUTZ]),
        call(hass, ADD, access_group="Fahrzeughalle", user_groups=[ATEMSCHUTZ]),
    )

    assert biostar_sim.login_count == logins + 1
    assert sorted(biostar_sim.access_groups[1].users) == [MAX, ERIKA, JONAS]
    assert biostar_sim.access_groups[1].user_groups == []
    assert biostar_sim.access_groups[2].users == [MAX]
    assert biostar_sim.access_groups[2].user_groups == [MASCHINISTEN, ATEMSCHUTZ]
    for group_id in (1, 2):
        assert shown(hass, entry, group_id) == on_server(biostar_sim, group_id)


# --- concurrency and sequences ----------------------------------------------------------------


async def test_fifty_concurrent_changes_lose_nothing(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    joining = list(range(2000, 2020))
    leaving = list(range(2020, 2040))
    new_user_groups = list(range(20001, 20011))
    for user_id in joining + leaving:
        biostar_sim.users[user_id] = f"Person {user_id}"
    for group_id in new_user_groups:
        biostar_sim.user_groups[group_id] = f"Gruppe {group_id}"
    biostar_sim.access_groups[1].users += leaving
    await setup_entry(hass, biostar_entry)

    calls = (
        [(ADD, {"users": [user_id]}) for user_id in joining]
        + [(REMOVE, {"users": [user_id]}) for user_id in leaving]
        + [(ADD, {"user_groups": [group_id]}) for group_id in new_user_groups]
    )
    random.Random(4711).shuffle(calls)
    assert len(calls) == 50

    await asyncio.gather(
        *(
            call(hass, service, access_group=1 if index % 2 else "Wache Tor", **data)
            for index, (service, data) in enumerate(calls)
        )
    )

    group = biostar_sim.access_groups[1]
    assert sorted(group.users) == sorted([MAX, *joining])
    assert sorted(group.user_groups) == sorted([ATEMSCHUTZ, *new_user_groups])
    assert len([w for w in writes(biostar_sim) if w[0] == "PUT"]) == 50
    shown_now = shown(hass, biostar_entry, 1)
    assert shown_now["state"] == str(1 + len(joining))
    assert sorted(shown_now["users"]) == sorted(group.users)
    assert sorted(shown_now["user_groups"]) == sorted(group.user_groups)
    # The other group was not touched.
    assert on_server(biostar_sim, 2)["users"] == []
    assert on_server(biostar_sim, 2)["user_groups"] == [MASCHINISTEN]


async def test_concurrent_changes_of_two_groups_and_a_new_one(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await asyncio.gather(
        call(hass, ADD, access_group=1, user_groups=[MASCHINISTEN]),
        call(hass, ADD, access_group=2, user_groups=[ATEMSCHUTZ]),
        call(hass, REMOVE, access_group=1, users=[MAX]),
        call(hass, ADD, access_group=2, cards=[ERIKA_CARD]),
        call(hass, CREATE, name="Lager", users=[LEA]),
        call(hass, REMOVE, access_group=2, user_groups=[MASCHINISTEN]),
        call(hass, ADD, access_group=1, users=[JONAS]),
    )
    await hass.async_block_till_done()

    assert on_server(biostar_sim, 1)["users"] == [JONAS]
    assert on_server(biostar_sim, 1)["user_groups"] == [ATEMSCHUTZ, MASCHINISTEN]
    assert on_server(biostar_sim, 2)["users"] == [ERIKA]
    assert on_server(biostar_sim, 2)["user_groups"] == [ATEMSCHUTZ]
    for group_id in (1, 2, 3):
        assert shown(hass, entry, group_id) == on_server(biostar_sim, group_id)


async def test_mixed_sequence_ends_in_the_expected_membership(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    people = [MAX, ERIKA, JONAS, LEA]
    cards = {MAX: MAX_CARD, ERIKA: ERIKA_CARD}
    user_groups = [ATEMSCHUTZ, MASCHINISTEN]
    expected_users = {MAX}
    expected_groups = {ATEMSCHUTZ}
    rng = random.Random(112)
    for _ in range(30):
        service = rng.choice([ADD, REMOVE])
        users = rng.sample(people, rng.randint(0, 2))
        groups = rng.sample(user_groups, rng.randint(0, 1))
        data: dict[str, Any] = {"user_groups": groups}
        by_card = [u for u in users if u in cards and rng.random() < 0.5]
        data["cards"] = [cards[u] for u in by_card]
        data["users"] = [u for u in users if u not in by_card]
        if not users and not groups:
            continue
        await call(hass, service, access_group=rng.choice([1, "Wache Tor"]), **data)
        if service == ADD:
            expected_users |= set(users)
            expected_groups |= set(groups)
        else:
            expected_users -= set(users)
            expected_groups -= set(groups)

        now = shown(hass, entry, 1)
        assert set(now["users"]) == expected_users
        assert set(now["user_groups"]) == expected_groups
        assert now == on_server(biostar_sim, 1)

    assert biostar_session_ids(biostar_sim)


# --- actions while a poll is reading ----------------------------------------------------------


async def wait_for_request(sim: BiostarSimulator, path: str, count: int = 1) -> None:
    async with asyncio.timeout(5):
        while len(sim.requests_to(path, "GET")) < count:  # noqa: ASYNC110  (no event to wait on)
            await asyncio.sleep(0.01)


async def start_slow_poll(
    hass: HomeAssistant, entry: MockConfigEntry, sim: BiostarSimulator
) -> asyncio.Task[None]:
    """Start a poll that has read group 1 and waits for group 2."""
    sim.timeout_delay = 0.3
    sim.set_fault("timeout", "/api/access_groups/2", method="GET", times=1)
    reads = len(sim.requests_to("/api/access_groups/1", "GET"))
    task = hass.async_create_task(entry.runtime_data.async_refresh())
    await wait_for_request(sim, "/api/access_groups/1", reads + 1)
    assert not task.done()
    return task


async def test_a_poll_that_read_before_the_change_does_not_undo_it(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    poll = await start_slow_poll(hass, entry, biostar_sim)

    await call(hass, ADD, access_group=1, users=[ERIKA])
    assert shown(hass, entry, 1)["users"] == [MAX, ERIKA]
    assert not poll.done()
    await poll
    assert shown(hass, entry, 1)["users"] == [MAX, ERIKA]

    # Whatever updates next must not bring the poll's older reading to light.
    await call(hass, ADD, access_group=2, users=[LEA])
    assert shown(hass, entry, 1)["users"] == [MAX, ERIKA]
    assert shown(hass, entry, 2)["users"] == [LEA]


async def test_a_poll_that_read_before_a_delete_does_not_bring_the_group_back(
    hass: HomeAssistant, entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    poll = await start_slow_poll(hass, entry, biostar_sim)

    await call(hass, DELETE, access_group=1)
    assert not poll.done()
    await poll
    await hass.async_block_till_done()
    assert sensor(hass, entry, 1) is None

    await call(hass, ADD, access_group=2, users=[LEA])
    await hass.async_block_till_done()
    assert sensor(hass, entry, 1) is None
    assert shown(hass, entry, 2)["users"] == [LEA]
