"""The DIVERA client against the DIVERA simulator over real HTTP."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.divera_access.api import (
    DEFAULT_BASE_URL,
    MAX_FOREIGN_ID_LENGTH,
    ApiAuthError,
    ApiConnectionError,
    ApiRateLimitError,
    ApiRefusedError,
    ApiResponseError,
    DiveraAccessApiError,
    DiveraClient,
    DiveraMember,
    DiveraPersonalInfo,
    DiveraStatus,
)
from tests.simulators.divera import SYSTEM_KEY, DiveraSimulator, start_simulator

MAX_KEY = "PERSONAL-KEY-MAX-0001"
ERIKA_KEY = "PERSONAL-KEY-ERIKA-0002"
UNKNOWN_KEY = "UNKNOWN-KEY-SECRET-9999"
SMALL_STATUSES = (
    DiveraStatus(1, "Einsatzbereit", "#2ecc71"),
    DiveraStatus(2, "5 Minuten", "#f1c40f"),
    DiveraStatus(3, "10 Minuten", "#e67e22"),
    DiveraStatus(4, "Nicht einsatzbereit", "#e74c3c"),
)
SECRETS = (SYSTEM_KEY, MAX_KEY, ERIKA_KEY, UNKNOWN_KEY, "accesskey")


@pytest.fixture
def sim() -> DiveraSimulator:
    """Return the small seeded unit."""
    return DiveraSimulator.small()


@pytest.fixture
async def base_url(sim: DiveraSimulator, socket_enabled: None) -> AsyncIterator[str]:
    """Serve the simulator on loopback."""
    runner, url = await start_simulator(sim)
    yield url
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a client session that is closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client_for(session: aiohttp.ClientSession, base_url: str) -> Callable[[str], DiveraClient]:
    """Return a factory of clients talking to the simulator with a given key."""

    def make(key: str) -> DiveraClient:
        return DiveraClient(session, key, base_url)

    return make


def assert_no_secret(err: BaseException) -> None:
    """Assert that neither the error nor anything chained to it shows a key or URL."""
    assert err.__cause__ is None
    seen: BaseException | None = err
    while seen is not None:
        for text in (str(seen), repr(seen), *map(str, seen.args)):
            for secret in SECRETS:
                assert secret not in text
            assert "?" not in text
        seen = seen.__cause__ or seen.__context__


async def raises[E: DiveraAccessApiError](kind: type[E], call: Awaitable[Any]) -> E:
    """Await the call, expect the error kind and check it leaks no key."""
    with pytest.raises(kind) as exc_info:
        await call
    assert_no_secret(exc_info.value)
    return exc_info.value


def test_base_url_is_normalised(session: aiohttp.ClientSession) -> None:
    assert DiveraClient(session, SYSTEM_KEY).base_url == DEFAULT_BASE_URL
    assert DiveraClient(session, SYSTEM_KEY, "http://divera.local/ ").base_url == (
        "http://divera.local"
    )


async def test_members_are_parsed_from_loose_json(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    members = await client_for(SYSTEM_KEY).async_get_members()

    assert members == [
        DiveraMember(101, 1001, 4711, 1, "Max", "Mustermann", "0451A2B3C4"),
        DiveraMember(102, 1002, 4711, 4, "Erika", "Musterfrau", "0451D5E6F7"),
        DiveraMember(103, 1003, 4711, 2, "Jonas", "Schmidt", None),
    ]
    assert [member.full_name for member in members] == [
        "Max Mustermann",
        "Erika Musterfrau",
        "Jonas Schmidt",
    ]
    # The simulator sends every other member's numbers as strings.
    assert sim.requests[0].path == "/api/users"


async def test_unparseable_members_are_skipped(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.extra_member_records = [
        "garbage",
        {"user_id": "abc", "user_cluster_relation_id": 9},
        {"user_id": 200, "user_cluster_relation_id": "2000", "foreign_id": 1234},
    ]

    members = await client_for(SYSTEM_KEY).async_get_members()

    assert [member.user_id for member in members] == [101, 102, 103, 200]
    assert members[-1].foreign_id == "1234"
    assert members[-1].full_name == "200"


async def test_realistic_seed_has_a_full_unit(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    sim = DiveraSimulator.realistic()
    runner, url = await start_simulator(sim)
    try:
        members = await DiveraClient(session, SYSTEM_KEY, url).async_get_members()
        info = await DiveraClient(
            session, sim.personal_key(members[-1].user_id), url
        ).async_get_personal_info()
    finally:
        await runner.cleanup()

    assert len(members) == 25
    assert len({member.foreign_id for member in members if member.foreign_id}) > 20
    assert {member.status_id for member in members} == {1, 2, 3, 4, 5, 6}
    assert [status.name for status in info.statuses][-2:] == ["Im Dienst", "Urlaub"]


async def test_unit_statuses_follow_statussorting(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.add_status(9, "Krank", "9b59b6")
    sim.add_status(7, "Lehrgang", "")
    sim.statussorting = [4, "2", 1, 3, 99]  # type: ignore[list-item]  # DIVERA quirk

    unit = await client_for(MAX_KEY).async_get_unit()

    assert unit.cluster_id == 4711
    assert unit.name == "Feuerwehr Musterstadt"
    assert unit.statuses == (
        SMALL_STATUSES[3],
        SMALL_STATUSES[1],
        SMALL_STATUSES[0],
        SMALL_STATUSES[2],
        DiveraStatus(7, "Lehrgang", None),
        DiveraStatus(9, "Krank", "#9b59b6"),
    )


async def test_unit_without_statuses_sends_empty_list(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.statuses.clear()
    sim.statussorting.clear()

    unit = await client_for(MAX_KEY).async_get_unit()

    assert unit.statuses == ()
    assert unit.name == "Feuerwehr Musterstadt"


async def test_personal_info(client_for: Callable[[str], DiveraClient]) -> None:
    info = await client_for(ERIKA_KEY).async_get_personal_info()

    assert info == DiveraPersonalInfo(
        user_cluster_relation_id=1002,
        cluster_id=4711,
        unit_name="Feuerwehr Musterstadt",
        firstname="Erika",
        lastname="Musterfrau",
        status_id=4,
        statuses=SMALL_STATUSES,
    )
    assert info.full_name == "Erika Musterfrau"


async def test_system_key_refused_on_pull_all(
    client_for: Callable[[str], DiveraClient],
) -> None:
    client = client_for(SYSTEM_KEY)

    err = await raises(ApiAuthError, client.async_get_unit())
    assert "/api/v2/pull/all" in str(err)
    await raises(ApiAuthError, client.async_get_personal_info())


async def test_system_key_allowed_on_pull_all_is_no_personal_key(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.system_key_may_pull = True
    client = client_for(SYSTEM_KEY)

    assert (await client.async_get_unit()).statuses == SMALL_STATUSES
    await raises(ApiAuthError, client.async_get_personal_info())


async def test_personal_key_cannot_list_members(
    client_for: Callable[[str], DiveraClient],
) -> None:
    await raises(ApiAuthError, client_for(MAX_KEY).async_get_members())


@pytest.mark.parametrize("method", ["async_get_members", "async_get_unit"])
async def test_unknown_key_is_refused(
    client_for: Callable[[str], DiveraClient], method: str
) -> None:
    await raises(ApiAuthError, getattr(client_for(UNKNOWN_KEY), method)())


async def test_removed_member_key_stops_working(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.remove_member(101)

    await raises(ApiAuthError, client_for(MAX_KEY).async_get_personal_info())
    assert len(await client_for(SYSTEM_KEY).async_get_members()) == 2


async def test_set_status_changes_member(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    await client_for(SYSTEM_KEY).async_set_status("0451D5E6F7", 1)

    member = sim.member_by_foreign_id("0451D5E6F7")
    assert member is not None
    assert member.status_id == 1
    request = sim.requests[-1]
    assert (request.method, request.path) == ("POST", "/api/setstatus")
    assert request.query == {
        "person": "0451D5E6F7",
        "Status[id]": "1",
        "accesskey": SYSTEM_KEY,
    }


async def test_set_status_unknown_person_is_refused(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    err = await raises(ApiRefusedError, client_for(SYSTEM_KEY).async_set_status("0451a2b3c4", 2))

    assert err.server_message == "Person nicht gefunden."
    assert sim.members[101].status_id == 1


async def test_set_status_unknown_status_is_refused(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    err = await raises(ApiRefusedError, client_for(SYSTEM_KEY).async_set_status("0451A2B3C4", 42))

    assert str(err) == "Status ungültig."
    assert sim.members[101].status_id == 1


async def test_set_status_needs_system_key(
    client_for: Callable[[str], DiveraClient],
) -> None:
    await raises(ApiAuthError, client_for(MAX_KEY).async_set_status("0451D5E6F7", 1))


@pytest.mark.parametrize("foreign_id", ["", "   ", "X" * (MAX_FOREIGN_ID_LENGTH + 1)])
async def test_set_status_rejects_impossible_foreign_id(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator, foreign_id: str
) -> None:
    with pytest.raises(ValueError, match="foreign id"):
        await client_for(SYSTEM_KEY).async_set_status(foreign_id, 1)
    assert sim.requests == []


async def test_set_own_status(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    await client_for(MAX_KEY).async_set_own_status(3)

    assert sim.members[101].status_id == 3
    request = sim.requests[-1]
    assert (request.method, request.path) == ("POST", "/api/v2/statusgeber/set-status")
    assert request.json == {"Status": {"id": 3}}


async def test_set_own_status_unknown_status_is_refused(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    await raises(ApiRefusedError, client_for(MAX_KEY).async_set_own_status(42))
    await raises(ApiAuthError, client_for(SYSTEM_KEY).async_set_own_status(1))
    assert sim.members[101].status_id == 1


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", ApiResponseError),
        ("401", ApiAuthError),
        ("403", ApiAuthError),
        ("429", ApiRateLimitError),
        ("malformed", ApiResponseError),
        ("success_false", ApiRefusedError),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.async_get_members(),
        lambda client: client.async_get_unit(),
        lambda client: client.async_get_personal_info(),
        lambda client: client.async_set_status("0451A2B3C4", 2),
        lambda client: client.async_set_own_status(2),
    ],
    ids=["members", "unit", "personal_info", "set_status", "set_own_status"],
)
async def test_faults_map_to_errors(
    client_for: Callable[[str], DiveraClient],
    sim: DiveraSimulator,
    kind: str,
    error: type[DiveraAccessApiError],
    call: Callable[[DiveraClient], Awaitable[Any]],
) -> None:
    sim.system_key_may_pull = True
    sim.set_fault(kind)

    err = await raises(error, call(client_for(SYSTEM_KEY)))

    assert len(sim.requests) == 1
    assert sim.requests[0].path in str(err) or kind == "success_false"


async def test_success_false_shows_server_message(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.set_fault("success_false")

    err = await raises(ApiRefusedError, client_for(SYSTEM_KEY).async_get_members())

    assert str(err) == "Simulated failure"


@pytest.mark.parametrize(
    ("refusal", "message"),
    [
        ({"errors": {"a": ["One", "Two"], "b": "Three"}}, "One; Two; Three"),
        ({"errors": ["One", {"deep": ["Two"]}]}, "One; Two"),
        ({"errors": "Only text"}, "Only text"),
        ({"message": "Zugriff verweigert"}, "Zugriff verweigert"),
        ({"errors": [], "message": ""}, "DIVERA refused the request"),
        ({"message": f"bad key {SYSTEM_KEY}"}, "bad key **REDACTED**"),
    ],
)
async def test_refusal_text_is_flattened(
    client_for: Callable[[str], DiveraClient],
    sim: DiveraSimulator,
    refusal: dict[str, Any],
    message: str,
) -> None:
    sim.refusal = refusal
    sim.set_fault("success_false")

    err = await raises(ApiRefusedError, client_for(SYSTEM_KEY).async_get_members())

    assert err.server_message == message


async def test_fault_on_one_path_only(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.set_fault("500", "/api/users")

    await raises(ApiResponseError, client_for(SYSTEM_KEY).async_get_members())
    assert (await client_for(MAX_KEY).async_get_unit()).cluster_id == 4711

    sim.clear_faults()
    assert len(await client_for(SYSTEM_KEY).async_get_members()) == 3


async def test_empty_list_fault_reads_as_empty_object(
    client_for: Callable[[str], DiveraClient], sim: DiveraSimulator
) -> None:
    sim.set_fault("empty_list")

    assert await client_for(SYSTEM_KEY).async_get_members() == []
    unit = await client_for(MAX_KEY).async_get_unit()
    assert (unit.cluster_id, unit.name, unit.statuses) == (None, None, ())
    await raises(ApiAuthError, client_for(MAX_KEY).async_get_personal_info())


async def test_timeout(session: aiohttp.ClientSession, base_url: str, sim: DiveraSimulator) -> None:
    sim.timeout_delay = 5
    sim.set_fault("timeout")
    client = DiveraClient(session, SYSTEM_KEY, base_url, request_timeout=0.2)

    started = time.monotonic()
    err = await raises(ApiConnectionError, client.async_get_members())

    assert time.monotonic() - started < 2
    assert str(err) == "GET /api/users failed: timeout"
    assert sim.requests[0].path == "/api/users"


async def test_unreachable_server(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = DiveraClient(session, SYSTEM_KEY, f"http://127.0.0.1:{port}")

    err = await raises(ApiConnectionError, client.async_get_members())

    assert str(err).startswith("GET /api/users failed: ")


@pytest.mark.parametrize("base", ["http://[::1", "not a url", "ftp://example.invalid"])
async def test_invalid_base_url(session: aiohttp.ClientSession, base: str) -> None:
    client = DiveraClient(session, SYSTEM_KEY, base)

    await raises(ApiConnectionError, client.async_set_status("0451A2B3C4", 1))


async def test_cancellation_is_not_swallowed(
    session: aiohttp.ClientSession, base_url: str, sim: DiveraSimulator
) -> None:
    sim.timeout_delay = 5
    sim.set_fault("timeout")
    task = asyncio.create_task(DiveraClient(session, SYSTEM_KEY, base_url).async_get_members())
    await asyncio.sleep(0.2)
    assert len(sim.requests) == 1

    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
