"""Assist: questions and commands in German and English through Home Assistant's own agent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.divera_access.const import (
    CONF_ACCESSKEY,
    CONF_BASE_URL,
    CONF_SYSTEM,
    CONF_USER_LINKS,
    DOMAIN,
    EVENT_STATUS_SET,
    SYSTEM_DIVERA_PERSONAL,
)
from tests.conftest import poll, setup_entry
from tests.simulators.divera import DiveraSimulator

SETSTATUS = "/api/setstatus"
SET_OWN = "/api/v2/statusgeber/set-status"

pytestmark = pytest.mark.usefixtures("secrets_never_logged")


@pytest.fixture(autouse=True)
async def assist(hass: HomeAssistant) -> None:
    """Home Assistant's own agent, with its built-in sentences."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})


@pytest.fixture
async def unit(hass: HomeAssistant, divera_entry: MockConfigEntry) -> MockConfigEntry:
    await setup_entry(hass, divera_entry)
    return divera_entry


async def ask(hass: HomeAssistant, text: str, language: str = "de") -> str:
    """Say something to Assist like the dashboard does and return its answer."""
    response = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": language},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    speech: str = response["response"]["speech"]["plain"]["speech"]
    return speech


async def ask_as(hass: HomeAssistant, user: User | None, text: str, language: str = "en") -> str:
    """Say something as a Home Assistant user (a voice satellite or app with a login)."""
    result = await conversation.async_converse(
        hass, text, None, Context(user_id=user.id if user else None), language
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


def member_state(hass: HomeAssistant, ucr: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"4711_{ucr}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def link_user(hass: HomeAssistant, entry: MockConfigEntry, user: User, member: str) -> None:
    """Link a Home Assistant user to a member through the options flow."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "link_user"}
    )
    assert result["step_id"] == "link_user"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"user": user.id, "member": member}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


# --- questions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("Wer ist einsatzbereit?", "de", "1 ist Einsatzbereit: Max Mustermann."),
        ("wer ist gerade einsatzbereit", "de", "1 ist Einsatzbereit: Max Mustermann."),
        ("Wer ist nicht einsatzbereit?", "de", "1 ist Nicht einsatzbereit: Erika Musterfrau."),
        ("WER IST NICHT EINSATZBEREIT", "de", "1 ist Nicht einsatzbereit: Erika Musterfrau."),
        ("Wie viele sind 5 Minuten?", "de", "1 ist 5 Minuten: Jonas Schmidt."),
        ("wie viele sind fünf Minuten", "de", "1 ist 5 Minuten: Jonas Schmidt."),
        ("Wer ist 10 Minuten?", "de", "Niemand ist 10 Minuten."),
        ("Who is available?", "en", "1 is Einsatzbereit: Max Mustermann."),
        ("who is ready", "en", "1 is Einsatzbereit: Max Mustermann."),
        ("who is not available", "en", "1 is Nicht einsatzbereit: Erika Musterfrau."),
        ("how many are 5 minutes", "en", "1 is 5 Minuten: Jonas Schmidt."),
        ("how many are five minutes", "en", "1 is 5 Minuten: Jonas Schmidt."),
        ("who is ten minutes", "en", "No one is 10 Minuten."),
    ],
)
async def test_who_is(
    hass: HomeAssistant, unit: MockConfigEntry, text: str, language: str, answer: str
) -> None:
    assert await ask(hass, text, language) == answer


async def test_who_is_lists_count_and_names(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    divera_sim.set_member_status(102, 1)
    divera_sim.set_member_status(103, 1)
    await poll(hass)
    assert (
        await ask(hass, "Wer ist einsatzbereit?")
        == "3 sind Einsatzbereit: Erika Musterfrau, Jonas Schmidt und Max Mustermann."
    )
    assert (
        await ask(hass, "who is available", "en")
        == "3 are Einsatzbereit: Erika Musterfrau, Jonas Schmidt and Max Mustermann."
    )
    assert await ask(hass, "wer ist nicht einsatzbereit") == "Niemand ist Nicht einsatzbereit."


async def test_questions_send_nothing(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    await ask(hass, "Wer ist einsatzbereit?")
    assert divera_sim.requests_to(SETSTATUS) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("what time is it", "en"),
        ("wie spät ist es", "de"),
        ("Wer ist zu Hause?", "de"),
        ("who is home", "en"),
        ("wer ist in der Küche", "de"),
    ],
)
async def test_built_in_sentences_are_not_swallowed(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    text: str,
    language: str,
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    with_unit = await ask(hass, text, language)
    assert await hass.config_entries.async_unload(unit.entry_id)
    without_unit = await ask(hass, text, language)
    # The built-in agent answers the same way with or without the unit's sentences.
    assert with_unit == without_unit
    assert "Einsatzbereit" not in with_unit
    assert "DIVERA" not in with_unit
    assert divera_sim.requests_to(SETSTATUS) == []
    assert events == []


async def test_sentences_go_away_with_the_unit(hass: HomeAssistant, unit: MockConfigEntry) -> None:
    assert await ask(hass, "Wer ist einsatzbereit?") == "1 ist Einsatzbereit: Max Mustermann."
    assert await hass.config_entries.async_unload(unit.entry_id)
    assert "Max Mustermann" not in await ask(hass, "Wer ist einsatzbereit?")
    assert await hass.config_entries.async_setup(unit.entry_id)
    await hass.async_block_till_done()
    assert await ask(hass, "Wer ist einsatzbereit?") == "1 ist Einsatzbereit: Max Mustermann."


# --- setting a member's status ----------------------------------------------------------------


async def test_set_member_in_german(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    answer = await ask(hass, "setze Max Mustermann auf nicht einsatzbereit")
    assert answer == "Max Mustermann ist jetzt Nicht einsatzbereit."
    assert [r.query for r in divera_sim.requests_to(SETSTATUS)] == [
        {"accesskey": divera_sim.requests_to(SETSTATUS)[0].query["accesskey"]}
        | {"person": "0451A2B3C4", "Status[id]": "4"}
    ]
    assert divera_sim.members[101].status_id == 4
    assert member_state(hass, 1001) == "Nicht einsatzbereit"
    assert len(events) == 1
    assert events[0].data["source"] == "voice"
    assert events[0].data["member"] == "Max Mustermann"
    assert events[0].data["foreign_id"] == "0451A2B3C4"
    assert events[0].data["from_status"] == "Einsatzbereit"
    assert events[0].data["to_status"] == "Nicht einsatzbereit"
    assert events[0].data["entry_id"] == unit.entry_id

    assert await ask(hass, "Wer ist einsatzbereit?") == "Niemand ist Einsatzbereit."


@pytest.mark.parametrize(
    ("text", "language", "answer", "status"),
    [
        ("set Erika Musterfrau to available", "en", "Erika Musterfrau is now Einsatzbereit.", 1),
        ("set erika musterfrau status to 5 min", "en", "Erika Musterfrau is now 5 Minuten.", 2),
        (
            "Setze Erika Musterfrau auf fünf Minuten",
            "de",
            "Erika Musterfrau ist jetzt 5 Minuten.",
            2,
        ),
        (
            "stell Erika Musterfrau auf 10 Minuten",
            "de",
            "Erika Musterfrau ist jetzt 10 Minuten.",
            3,
        ),
        (
            "setze ERIKA MUSTERFRAU auf Einsatzbereit",
            "de",
            "Erika Musterfrau ist jetzt Einsatzbereit.",
            1,
        ),
    ],
)
async def test_set_member(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    text: str,
    language: str,
    answer: str,
    status: int,
) -> None:
    assert await ask(hass, text, language) == answer
    assert [
        (r.query["person"], r.query["Status[id]"]) for r in divera_sim.requests_to(SETSTATUS)
    ] == [("0451D5E6F7", str(status))]
    assert divera_sim.members[102].status_id == status


async def test_set_member_without_foreign_id_explains(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    answer = await ask(hass, "set Jonas Schmidt to available", "en")
    assert answer == (
        "That did not work: Jonas Schmidt has no foreign key (Fremdschlüssel) in DIVERA,"
        " so their status cannot be set."
    )
    assert divera_sim.requests_to(SETSTATUS) == []
    assert member_state(hass, 1003) == "5 Minuten"


async def test_set_member_failure_is_answered_in_the_language_asked(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    events = async_capture_events(hass, EVENT_STATUS_SET)
    divera_sim.set_fault("success_false", SETSTATUS)
    assert (
        await ask(hass, "setze Erika Musterfrau auf einsatzbereit")
        == "Das ging nicht: Der Server hat abgelehnt: Simulated failure."
    )
    assert (
        await ask(hass, "set Erika Musterfrau to available", "en")
        == "That did not work: The server refused: Simulated failure."
    )
    assert member_state(hass, 1002) == "Nicht einsatzbereit"
    assert events == []


async def test_unknown_member_is_not_ours(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    answer = await ask(hass, "setze Petra Nachbar auf einsatzbereit")
    assert "Petra Nachbar ist jetzt" not in answer
    assert divera_sim.requests_to(SETSTATUS) == []


async def test_a_new_member_can_be_named_after_the_next_poll(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    divera_sim.add_member(
        "Anna", "Müller", user_id=104, user_cluster_relation_id=1004, foreign_id="04AA", status_id=4
    )
    assert "Anna Müller ist jetzt" not in await ask(hass, "setze Anna Müller auf einsatzbereit")
    assert divera_sim.requests_to(SETSTATUS) == []

    await poll(hass)

    assert (
        await ask(hass, "setze Anna Müller auf einsatzbereit")
        == "Anna Müller ist jetzt Einsatzbereit."
    )
    assert [r.query["person"] for r in divera_sim.requests_to(SETSTATUS)] == ["04AA"]
    assert (
        await ask(hass, "wer ist einsatzbereit")
        == "2 sind Einsatzbereit: Anna Müller und Max Mustermann."
    )

    divera_sim.remove_member(104)
    await poll(hass)
    assert "Anna Müller ist jetzt" not in await ask(hass, "setze Anna Müller auf 5 Minuten")
    assert len(divera_sim.requests_to(SETSTATUS)) == 1


async def test_a_new_status_is_understood_after_the_next_unit_refresh(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    divera_sim: DiveraSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Status names are read again within the hour; the sentences follow."""
    divera_sim.add_status(5, "Im Dienst", "#3498db")
    divera_sim.set_member_status(103, 5)
    await poll(hass)
    # Until DIVERA's status list is read again, Jonas shows the bare status id.
    assert member_state(hass, 1003) == "5"
    assert "Jonas Schmidt" not in await ask(hass, "wer ist im Dienst")

    freezer.tick(timedelta(hours=1))
    await poll(hass)
    assert member_state(hass, 1003) == "Im Dienst"
    assert await ask(hass, "wer ist im Dienst") == "1 ist Im Dienst: Jonas Schmidt."
    assert await ask(hass, "who is on duty", "en") == "1 is Im Dienst: Jonas Schmidt."


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("setze Jan Weiß auf einsatzbereit", "de", "Jan Weiß ist jetzt Einsatzbereit."),
        ("setze Jan Weiss auf einsatzbereit", "de", "Jan Weiß ist jetzt Einsatzbereit."),
        ("SETZE JAN WEIß AUF EINSATZBEREIT", "de", "Jan Weiß ist jetzt Einsatzbereit."),
        ("set Anna-Lena Müller to available", "en", "Anna-Lena Müller is now Einsatzbereit."),
        ("set Anna Lena Müller to available", "en", "Anna-Lena Müller is now Einsatzbereit."),
        ("set Sean O'Neil to available", "en", "Sean O'Neil is now Einsatzbereit."),
        ("set Sean O Neil to available", "en", "Sean O'Neil is now Einsatzbereit."),
    ],
)
async def test_names_with_umlauts_hyphens_and_apostrophes(
    hass: HomeAssistant,
    *,
    divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    text: str,
    language: str,
    answer: str,
) -> None:
    """Hassil compares lower-cased text: a case-folded 'weiss' never matched 'Weiß'."""
    divera_sim.add_member("Jan", "Weiß", user_id=104, foreign_id="04JW", status_id=4)
    divera_sim.add_member("Anna-Lena", "Müller", user_id=105, foreign_id="04AL", status_id=4)
    divera_sim.add_member("Sean", "O'Neil", user_id=106, foreign_id="04SO", status_id=4)
    await setup_entry(hass, divera_entry)
    assert await ask(hass, text, language) == answer
    assert len(divera_sim.requests_to(SETSTATUS)) == 1


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("wer ist außer Dienst", "de", "1 ist Außer Dienst: Erika Musterfrau."),
        ("wer ist ausser dienst", "de", "1 ist Außer Dienst: Erika Musterfrau."),
        ("who is off duty", "en", "1 is Außer Dienst: Erika Musterfrau."),
        ("wer ist im Einsatz", "de", "1 ist Im-Einsatz: Max Mustermann."),
        ("wer ist im-einsatz", "de", "1 ist Im-Einsatz: Max Mustermann."),
        ("wie viele sind 5 Minuten", "de", "1 ist 5 Min.: Jonas Schmidt."),
        ("wie viele sind fünf Minuten", "de", "1 ist 5 Min.: Jonas Schmidt."),
        ("how many are 5 min", "en", "1 is 5 Min.: Jonas Schmidt."),
    ],
)
async def test_usual_divera_status_names(
    hass: HomeAssistant,
    *,
    divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    text: str,
    language: str,
    answer: str,
) -> None:
    divera_sim.add_status(1, "Im-Einsatz", "#2ecc71")
    divera_sim.add_status(2, "5 Min.", "#f1c40f")
    divera_sim.add_status(4, "Außer Dienst", "#e74c3c")
    await setup_entry(hass, divera_entry)
    assert await ask(hass, text, language) == answer


async def test_set_status_named_with_a_hyphen(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    divera_sim.add_status(4, "Nicht-Einsatzbereit", "#e74c3c")
    await setup_entry(hass, divera_entry)
    assert (
        await ask(hass, "setze Max Mustermann auf nicht einsatzbereit")
        == "Max Mustermann ist jetzt Nicht-Einsatzbereit."
    )
    assert [r.query["Status[id]"] for r in divera_sim.requests_to(SETSTATUS)] == ["4"]


async def test_who_is_answers_for_every_unit(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    second_divera_entry: MockConfigEntry,
    second_divera_sim: DiveraSimulator,
) -> None:
    second_divera_sim.set_member_status(201, 1)
    await setup_entry(hass, second_divera_entry)
    assert await ask(hass, "Wer ist einsatzbereit?") == (
        "Feuerwehr Musterstadt: 1 ist Einsatzbereit: Max Mustermann."
        " Feuerwehr Nachbarstadt: 1 ist Einsatzbereit: Petra Nachbar."
    )
    # Only the first unit has "5 Minuten".
    assert await ask(hass, "wer ist 5 Minuten") == "1 ist 5 Minuten: Jonas Schmidt."
    assert await hass.config_entries.async_unload(unit.entry_id)
    assert await ask(hass, "who is available", "en") == "1 is Einsatzbereit: Petra Nachbar."


# --- setting one's own status -----------------------------------------------------------------


@pytest.fixture
async def max_user(hass: HomeAssistant) -> User:
    return await hass.auth.async_create_user("Max")


async def test_set_my_status_for_a_linked_user(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator, max_user: User
) -> None:
    await link_user(hass, unit, max_user, "1001")
    assert unit.options[CONF_USER_LINKS] == {max_user.id: 1001}
    events = async_capture_events(hass, EVENT_STATUS_SET)

    assert await ask_as(hass, max_user, "set my status to 5 minutes") == (
        "Max Mustermann is now 5 Minuten."
    )
    assert [
        (r.query["person"], r.query["Status[id]"]) for r in divera_sim.requests_to(SETSTATUS)
    ] == [("0451A2B3C4", "2")]
    assert member_state(hass, 1001) == "5 Minuten"
    assert len(events) == 1
    assert events[0].data["source"] == "voice"
    assert events[0].data["user_id"] == max_user.id
    assert events[0].data["member"] == "Max Mustermann"

    assert await ask_as(hass, max_user, "setze meinen Status auf einsatzbereit", "de") == (
        "Max Mustermann ist jetzt Einsatzbereit."
    )
    assert await ask_as(hass, max_user, "ich bin nicht einsatzbereit", "de") == (
        "Max Mustermann ist jetzt Nicht einsatzbereit."
    )
    assert [r.query["Status[id]"] for r in divera_sim.requests_to(SETSTATUS)] == ["2", "1", "4"]


async def test_set_my_status_for_an_unlinked_user(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator, max_user: User
) -> None:
    erika = await hass.auth.async_create_user("Erika")
    await link_user(hass, unit, erika, "1002")
    assert await ask_as(hass, max_user, "set my status to 5 minutes") == (
        "Your user is not linked to a DIVERA member."
    )
    assert await ask_as(hass, max_user, "setze meinen Status auf einsatzbereit", "de") == (
        "Dein Benutzer ist mit keinem DIVERA-Mitglied verknüpft."
    )
    assert await ask_as(hass, None, "i am available") == (
        "Your user is not linked to a DIVERA member."
    )
    assert divera_sim.requests_to(SETSTATUS) == []


async def test_unlinking_a_user(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator, max_user: User
) -> None:
    await link_user(hass, unit, max_user, "1001")
    await link_user(hass, unit, max_user, "none")
    assert await ask_as(hass, max_user, "set my status to 5 minutes") == (
        "Your user is not linked to a DIVERA member."
    )
    assert divera_sim.requests_to(SETSTATUS) == []


async def test_linked_member_who_left_the_unit(
    hass: HomeAssistant, unit: MockConfigEntry, divera_sim: DiveraSimulator, max_user: User
) -> None:
    """The link stays, the member is gone: say so instead of a bare 'Done'."""
    await link_user(hass, unit, max_user, "1001")
    divera_sim.remove_member(101)
    await poll(hass)
    assert await ask_as(hass, max_user, "set my status to 5 minutes") == (
        "Your user is not linked to a DIVERA member."
    )
    assert divera_sim.requests_to(SETSTATUS) == []


# --- a member's own key -----------------------------------------------------------------------


async def test_set_my_status_with_a_personal_key(
    hass: HomeAssistant,
    personal_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    max_user: User,
) -> None:
    await setup_entry(hass, personal_entry)
    events = async_capture_events(hass, EVENT_STATUS_SET)

    assert await ask_as(hass, max_user, "set my status to 5 minutes") == (
        "Max Mustermann is now 5 Minuten."
    )
    assert [r.json for r in divera_sim.requests_to(SET_OWN)] == [{"Status": {"id": 2}}]
    assert divera_sim.requests_to(SETSTATUS) == []
    assert divera_sim.members[101].status_id == 2
    assert len(events) == 1
    assert events[0].data["entry_id"] == personal_entry.entry_id
    assert events[0].data["member"] == "Max Mustermann"
    assert events[0].data["source"] == "voice"
    assert events[0].data["from_status"] == "Einsatzbereit"
    assert events[0].data["to_status"] == "5 Minuten"

    assert await ask_as(hass, max_user, "setze meinen Status auf Nicht-Einsatzbereit", "de") == (
        "Max Mustermann ist jetzt Nicht einsatzbereit."
    )
    assert [r.json for r in divera_sim.requests_to(SET_OWN)][-1] == {"Status": {"id": 4}}


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("ich bin einsatzbereit", "de", "Max Mustermann ist jetzt Einsatzbereit."),
        ("I am five minutes", "en", "Max Mustermann is now 5 Minuten."),
    ],
)
async def test_personal_key_beside_a_unit(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    personal_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    max_user: User,
    text: str,
    language: str,
    answer: str,
) -> None:
    """An unlinked user with a member key beside the unit: the key answers every 'my' form."""
    await setup_entry(hass, personal_entry)
    divera_sim.set_member_status(101, 4)
    await poll(hass)
    assert await ask_as(hass, max_user, text, language) == answer
    assert len(divera_sim.requests_to(SET_OWN)) == 1
    assert divera_sim.requests_to(SETSTATUS) == []


async def test_linked_user_beside_a_personal_key_goes_through_the_unit(
    hass: HomeAssistant,
    unit: MockConfigEntry,
    personal_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    max_user: User,
) -> None:
    await setup_entry(hass, personal_entry)
    erika = await hass.auth.async_create_user("Erika")
    await link_user(hass, unit, erika, "1002")
    assert await ask_as(hass, erika, "set my status to available") == (
        "Erika Musterfrau is now Einsatzbereit."
    )
    assert [r.query["person"] for r in divera_sim.requests_to(SETSTATUS)] == ["0451D5E6F7"]
    assert divera_sim.requests_to(SET_OWN) == []


async def test_two_member_keys_set_no_one(
    hass: HomeAssistant,
    personal_entry: MockConfigEntry,
    divera_url: str,
    divera_sim: DiveraSimulator,
    max_user: User,
) -> None:
    """Two members' own keys on one Home Assistant: 'my' status is nobody's in particular."""
    erika_key = MockConfigEntry(
        domain=DOMAIN,
        title="Erika Musterfrau",
        unique_id="4711_1002",
        data={
            CONF_SYSTEM: SYSTEM_DIVERA_PERSONAL,
            CONF_ACCESSKEY: divera_sim.personal_key(102),
            CONF_BASE_URL: divera_url,
        },
    )
    erika_key.add_to_hass(hass)
    await setup_entry(hass, personal_entry)  # sets up every entry of the integration
    assert erika_key.state is ConfigEntryState.LOADED
    assert await ask_as(hass, max_user, "set my status to 5 minutes") == (
        "Several DIVERA member keys are set up here; I cannot tell whose status to set."
    )
    assert await ask_as(hass, max_user, "ich bin einsatzbereit", "de") == (
        "Hier sind mehrere DIVERA-Mitgliedsschlüssel eingerichtet;"
        " ich weiß nicht, wessen Status gemeint ist."
    )
    assert divera_sim.requests_to(SET_OWN) == []


async def test_set_my_status_with_two_units(
    hass: HomeAssistant,
    *,
    unit: MockConfigEntry,
    second_divera_entry: MockConfigEntry,
    divera_sim: DiveraSimulator,
    second_divera_sim: DiveraSimulator,
    max_user: User,
) -> None:
    await setup_entry(hass, second_divera_entry)
    assert await ask_as(hass, max_user, "i'm available") == (
        "Your user is not linked to a DIVERA member."
    )
    petra = await hass.auth.async_create_user("Petra")
    await link_user(hass, second_divera_entry, petra, "2001")
    assert await ask_as(hass, petra, "i'm available") == "Petra Nachbar is now Einsatzbereit."
    assert [r.query["person"] for r in second_divera_sim.requests_to(SETSTATUS)] == ["0451A2B3C4"]
    assert divera_sim.requests_to(SETSTATUS) == []
