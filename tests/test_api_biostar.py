"""The BioStar 2 client against the BioStar simulator over real HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.divera_access.api.biostar import (
    BiostarAccessGroup,
    BiostarCard,
    BiostarClient,
    BiostarUser,
    async_fetch_certificate_fingerprint,
    normalize_card_number,
    sha256_fingerprint,
)
from custom_components.divera_access.api.errors import (
    ApiAuthError,
    ApiCertificateError,
    ApiConnectionError,
    ApiRateLimitError,
    ApiRefusedError,
    ApiResponseError,
    DiveraAccessApiError,
)
from tests.simulators.biostar import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    SESSION_HEADER,
    BiostarSimulator,
    cert_fingerprint,
    make_self_signed_cert,
    server_ssl_context,
    start_simulator,
)

WRONG_PASSWORD = "Wrong-Secret-Pw9"

type ClientFactory = Callable[..., BiostarClient]


@pytest.fixture
def sim() -> BiostarSimulator:
    """Return the small seeded server."""
    return BiostarSimulator.small()


@pytest.fixture
async def base_url(sim: BiostarSimulator, socket_enabled: None) -> AsyncIterator[str]:
    """Serve the simulator on loopback over plain HTTP."""
    runner, url = await start_simulator(sim)
    yield url
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a client session that is closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(session: aiohttp.ClientSession, base_url: str) -> ClientFactory:
    """Return a factory of clients for the simulator (keyword arguments pass through)."""

    def make(**kwargs: Any) -> BiostarClient:
        options: dict[str, Any] = {
            "url": base_url,
            "username": DEFAULT_LOGIN,
            "password": DEFAULT_PASSWORD,
            "request_timeout": 5,
        } | kwargs
        return BiostarClient(session, **options)

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> BiostarClient:
    """Return a client with the right credentials."""
    return make_client()


def session_ids(sim: BiostarSimulator) -> set[str]:
    """Return every session id the client sent so far."""
    return {r.headers[SESSION_HEADER] for r in sim.requests if r.has_session}


def assert_no_secret(err: BaseException, *secrets: str) -> None:
    """Assert that neither the error nor anything chained to it shows a secret."""
    assert err.__cause__ is None
    secrets = tuple(s for s in (DEFAULT_PASSWORD, WRONG_PASSWORD, *secrets) if s)
    seen: BaseException | None = err
    while seen is not None:
        for text in (str(seen), repr(seen), *map(str, seen.args)):
            for secret in secrets:
                assert secret not in text
        seen = seen.__cause__ or seen.__context__


async def raises[E: DiveraAccessApiError](
    kind: type[E], call: Awaitable[Any], sim: BiostarSimulator | None = None
) -> E:
    """Await the call, expect the error kind and check it leaks no secret."""
    with pytest.raises(kind) as exc_info:
        await call
    assert_no_secret(exc_info.value, *(session_ids(sim) if sim else ()))
    return exc_info.value


async def raw_session_id(session: aiohttp.ClientSession, base_url: str) -> str:
    """Log in without the client, for requests the client would never send."""
    async with session.post(
        f"{base_url}/api/login",
        json={"User": {"login_id": DEFAULT_LOGIN, "password": DEFAULT_PASSWORD}},
    ) as response:
        return response.headers[SESSION_HEADER]


def free_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- reading ---------------------------------------------------------------


async def test_access_groups_are_parsed_from_string_numbers(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    groups = await client.async_get_access_groups()

    assert groups == [
        BiostarAccessGroup(
            id=1,
            name="Wache Tor",
            description="",
            user_ids=(1750,),
            user_group_ids=(10871,),
            user_groups=((10871, "Atemschutz"),),
            access_level_ids=(53,),
            floor_level_ids=(),
        ),
        BiostarAccessGroup(
            id=2,
            name="Fahrzeughalle",
            description="",
            user_ids=(),
            user_group_ids=(10872,),
            user_groups=((10872, "Maschinisten"),),
            access_level_ids=(54,),
            floor_level_ids=(),
        ),
    ]
    assert [(r.method, r.path) for r in sim.requests] == [
        ("POST", "/api/login"),
        ("GET", "/api/access_groups"),
        ("GET", "/api/access_groups/1"),
        ("GET", "/api/access_groups/2"),
    ]


async def test_users_and_cards(client: BiostarClient) -> None:
    users = await client.async_get_users()
    cards = await client.async_get_cards()

    assert users == [
        BiostarUser(1750, "Max Mustermann"),
        BiostarUser(1751, "Erika Musterfrau"),
        BiostarUser(1752, "Jonas Schmidt"),
        BiostarUser(1753, "Lea Becker"),
    ]
    assert cards == [
        BiostarCard(1, "0451A2B3C4", str(0x451A2B3C4), 1750, "Max Mustermann"),
        BiostarCard(2, "0451D5E6F7", str(0x451D5E6F7), 1751, "Erika Musterfrau"),
        BiostarCard(3, "0999999999", str(0x999999999), None, None),
    ]


@pytest.mark.parametrize(
    ("number", "expected_user"),
    [
        ("0451A2B3C4", 1750),
        ("0451a2b3c4", 1750),
        ("451A2B3C4", 1750),
        ("04:51:D5:E6:F7", 1751),
        (str(0x451A2B3C4), 1750),
        ("0999999999", None),
    ],
)
async def test_cards_are_found_by_number(
    client: BiostarClient, number: str, expected_user: int | None
) -> None:
    cards = await client.async_get_cards()

    matching = [card for card in cards if card.matches(number)]

    assert len(matching) == 1
    assert matching[0].user_id == expected_user


async def test_unknown_card_number_matches_nothing(client: BiostarClient) -> None:
    cards = await client.async_get_cards()

    assert not [card for card in cards if card.matches("04DEADBEEF")]
    assert not [card for card in cards if card.matches("")]
    assert normalize_card_number(" 00 ") == "0"


async def test_odd_shapes_are_parsed_defensively(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    sim.raw_access_groups[2] = {"id": 2, "name": "Fahrzeughalle", "users": None}
    sim.extra_rows["CardCollection"] = [
        {"id": "7", "card_id": "0123", "user_id": {"user_id": "", "name": ""}},
        {"id": "8", "card_id": "0456", "display_card_id": "456", "user_id": "1752"},
        {"id": "not-a-number", "card_id": "0789"},
    ]
    sim.extra_rows["UserCollection"] = [{"user_id": "guest-7", "name": "Besucher"}]

    group = await client.async_get_access_group(2)
    cards = await client.async_get_cards()
    users = await client.async_get_users()

    assert group == BiostarAccessGroup(2, "Fahrzeughalle", "", (), (), (), (), ())
    assert cards[3:] == [
        BiostarCard(7, "0123", "0123", None, None),
        BiostarCard(8, "0456", "456", 1752, None),
    ]
    assert [user.user_id for user in users] == [1750, 1751, 1752, 1753]


async def test_wrong_shape_is_a_response_error(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    sim.raw_access_groups[1] = {"id": "1", "name": "Wache Tor", "users": "1750"}

    await raises(ApiResponseError, client.async_get_access_group(1), sim)


async def test_realistic_seed_has_a_card_for_everyone(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    sim = BiostarSimulator.realistic()
    runner, url = await start_simulator(sim)
    try:
        client = BiostarClient(session, url, DEFAULT_LOGIN, DEFAULT_PASSWORD)
        users = await client.async_get_users()
        cards = await client.async_get_cards()
        groups = await client.async_get_access_groups()
    finally:
        await runner.cleanup()

    assert len(users) >= 25
    holders = {card.user_id for card in cards if card.user_id is not None}
    assert holders == {user.user_id for user in users}
    assert len(groups) == len(sim.access_groups)
    assert sim.login_count == 1


# -- sessions --------------------------------------------------------------


async def test_one_login_serves_many_calls(client: BiostarClient, sim: BiostarSimulator) -> None:
    await client.async_login()
    await client.async_get_access_groups()
    await client.async_get_users()
    await client.async_get_cards()
    await client.async_update_access_group(2, new_users=[1752])

    assert sim.login_count == 1
    assert all(r.has_session for r in sim.requests if r.path != "/api/login")
    assert len(session_ids(sim)) == 1


async def test_expired_session_logs_in_once_and_keeps_the_change(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_get_users()
    sim.expire_sessions()

    await client.async_update_access_group(2, new_users=[1751, 1752])

    assert sim.login_count == 2
    assert sim.access_groups[2].users == [1751, 1752]
    puts = sim.requests_to("/api/access_groups/2", "PUT")
    assert len(puts) == 2
    assert puts[0].headers[SESSION_HEADER] != puts[1].headers[SESSION_HEADER]


async def test_concurrent_calls_after_expiry_share_one_login(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_login()
    sim.expire_sessions()

    results = await asyncio.gather(
        client.async_get_users(),
        client.async_get_cards(),
        client.async_get_access_group(1),
        client.async_get_access_group(2),
        client.async_update_access_group(1, new_users=[1753]),
    )

    assert sim.login_count == 2
    assert len(results[0]) == 4
    assert sim.access_groups[1].users == [1750, 1753]


async def test_session_ending_between_group_details_costs_one_login(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    sim.set_fault("expire", "/api/access_groups/1", times=1)

    groups = await client.async_get_access_groups()

    assert [group.id for group in groups] == [1, 2]
    assert sim.login_count == 2


async def test_login_required_code_with_http_200_also_renews(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_login()
    sim.fault_code = "10"
    sim.set_fault("error_code", "/api/users", times=1)

    users = await client.async_get_users()

    assert len(users) == 4
    assert sim.login_count == 2


async def test_other_error_codes_are_no_session_problem(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_login()
    sim.set_fault("error_code", "/api/users", times=1)

    await raises(ApiRefusedError, client.async_get_users(), sim)

    assert sim.login_count == 1


async def test_persistent_401_is_an_auth_error_after_one_retry(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    sim.set_fault("401", "/api/access_groups")

    await raises(ApiAuthError, client.async_get_access_groups(), sim)

    assert sim.login_count == 2
    assert len(sim.requests_to("/api/access_groups")) == 2


async def test_wrong_password_is_an_auth_error(
    make_client: ClientFactory, sim: BiostarSimulator
) -> None:
    client = make_client(password=WRONG_PASSWORD)

    err = await raises(ApiAuthError, client.async_get_users(), sim)

    assert "wrong login id or password" in str(err)
    assert sim.login_count == 0
    assert not sim.requests_to("/api/users")


async def test_close_logs_out(client: BiostarClient, sim: BiostarSimulator) -> None:
    await client.async_login()
    assert len(sim.sessions) == 1

    await client.async_close()
    await client.async_close()

    assert sim.sessions == set()
    assert len(sim.requests_to("/api/logout")) == 1


async def test_close_ignores_errors(client: BiostarClient, sim: BiostarSimulator) -> None:
    await client.async_login()
    sim.set_fault("500", "/api/logout")

    await client.async_close()

    assert len(sim.requests_to("/api/logout")) == 1


# -- writing ---------------------------------------------------------------


async def test_create_update_delete(client: BiostarClient, sim: BiostarSimulator) -> None:
    group_id = await client.async_create_access_group(
        "Einsatzbereit",
        description="Aus DIVERA",
        users=[1750, 1751],
        user_groups=[10871],
        access_levels=[53, 54],
    )
    created = await client.async_get_access_group(group_id)
    await client.async_update_access_group(group_id, new_users=[1752], delete_users=[1750])
    updated = await client.async_get_access_group(group_id)
    await client.async_delete_access_group(group_id)

    assert group_id == 3
    assert created == BiostarAccessGroup(
        3,
        "Einsatzbereit",
        "Aus DIVERA",
        (1750, 1751),
        (10871,),
        ((10871, "Atemschutz"),),
        (53, 54),
        (),
    )
    assert updated.user_ids == (1751, 1752)
    assert group_id not in sim.access_groups
    assert sim.requests_to("/api/access_groups", "POST")[0].json == {
        "AccessGroup": {
            "name": "Einsatzbereit",
            "description": "Aus DIVERA",
            "users": [{"user_id": 1750}, {"user_id": 1751}],
            "user_groups": [{"id": 10871}],
            "access_levels": [{"id": 53}, {"id": 54}],
            "floor_levels": [],
        }
    }
    assert sim.requests_to("/api/access_groups/3", "PUT")[0].json == {
        "AccessGroup": {"new_users": [{"user_id": 1752}], "delete_users": [{"user_id": 1750}]}
    }


async def test_created_id_is_found_by_name_when_not_returned(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    sim.return_created_id = False

    group_id = await client.async_create_access_group("Lager")

    assert sim.access_groups[group_id].name == "Lager"


async def test_new_users_add_and_lists_replace(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_update_access_group(1, new_users=[1751])
    assert sim.access_groups[1].users == [1750, 1751]
    assert sim.access_groups[1].user_groups == [10871]
    assert sim.access_groups[1].access_levels == [53]

    await client.async_update_access_group(1, user_groups=[10872])
    assert sim.access_groups[1].user_groups == [10872]
    assert sim.access_groups[1].users == [1750, 1751]

    await client.async_update_access_group(1, access_levels=[])
    assert sim.access_groups[1].access_levels == []
    assert sim.access_groups[1].user_groups == [10872]

    await client.async_update_access_group(1, delete_users=[1750])
    assert sim.access_groups[1].users == [1751]

    assert [r.json for r in sim.requests_to("/api/access_groups/1", "PUT")] == [
        {"AccessGroup": {"new_users": [{"user_id": 1751}]}},
        {"AccessGroup": {"user_groups": [{"id": 10872}]}},
        {"AccessGroup": {"access_levels": []}},
        {"AccessGroup": {"delete_users": [{"user_id": 1750}]}},
    ]


async def test_an_update_without_changes_sends_nothing(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_update_access_group(1)
    await client.async_update_access_group(1, new_users=(), delete_users=[])

    assert sim.requests == []


async def test_adding_and_deleting_the_same_user_is_a_mistake(client: BiostarClient) -> None:
    with pytest.raises(ValueError, match="1750"):
        await client.async_update_access_group(1, new_users=[1750], delete_users=[1750])


async def test_lists_are_deduplicated_before_sending(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    group_id = await client.async_create_access_group(
        "Doppelt",
        users=[1751, 1750, 1751],
        user_groups=[10872, 10871, 10872],
        access_levels=[54, 54],
    )
    await client.async_update_access_group(
        group_id,
        new_users=[1752, 1753, 1752],
        delete_users=[1750, 1750],
        user_groups=[10871, 10871],
        access_levels=[53, 54, 53],
    )

    group = sim.access_groups[group_id]
    assert group.users == [1751, 1752, 1753]
    assert group.user_groups == [10871]
    assert group.access_levels == [53, 54]
    put = sim.requests_to(f"/api/access_groups/{group_id}", "PUT")[0]
    assert put.json == {
        "AccessGroup": {
            "new_users": [{"user_id": 1752}, {"user_id": 1753}],
            "delete_users": [{"user_id": 1750}],
            "user_groups": [{"id": 10871}],
            "access_levels": [{"id": 53}, {"id": 54}],
        }
    }


async def test_simulator_refuses_duplicates_like_biostar(
    session: aiohttp.ClientSession, base_url: str, sim: BiostarSimulator
) -> None:
    session_id = await raw_session_id(session, base_url)

    async with session.put(
        f"{base_url}/api/access_groups/1",
        json={"AccessGroup": {"new_users": [{"user_id": 1751}, {"user_id": "1751"}]}},
        headers={SESSION_HEADER: session_id},
    ) as response:
        body = await response.json()

    assert response.status == 400
    assert body["Response"]["code"] == "1"
    assert "Duplicate" in body["Response"]["message"]
    assert sim.access_groups[1].users == [1750]


async def test_no_trailing_slash_is_ever_sent(
    make_client: ClientFactory, base_url: str, sim: BiostarSimulator
) -> None:
    client = make_client(url=f" {base_url}/ ")

    assert client.url == base_url
    group_id = await client.async_create_access_group("Neu", users=[1750])
    await client.async_get_access_groups()
    await client.async_update_access_group(group_id, delete_users=[1750])
    await client.async_get_users()
    await client.async_get_cards()
    await client.async_delete_access_group(group_id)
    await client.async_close()

    assert len(sim.requests) > 10
    assert not [r.path for r in sim.requests if r.path.endswith("/")]


async def test_simulator_refuses_a_trailing_slash(
    session: aiohttp.ClientSession, base_url: str
) -> None:
    session_id = await raw_session_id(session, base_url)

    async with session.get(
        f"{base_url}/api/access_groups/", headers={SESSION_HEADER: session_id}
    ) as response:
        assert response.status == 404


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.async_create_access_group("wache tor"),
            "Access group name 'wache tor' already exists.",
        ),
        (
            lambda c: c.async_create_access_group("Neu", users=[9999]),
            "User 9999 does not exist.",
        ),
        (
            lambda c: c.async_update_access_group(1, new_users=[9999]),
            "User 9999 does not exist.",
        ),
        (
            lambda c: c.async_update_access_group(1, access_levels=[99]),
            "Access level 99 does not exist.",
        ),
        (lambda c: c.async_get_access_group(42), "Access group 42 does not exist."),
        (lambda c: c.async_delete_access_group(42), "Access group 42 does not exist."),
    ],
)
async def test_refusals_carry_biostar_message(
    client: BiostarClient,
    sim: BiostarSimulator,
    call: Callable[[BiostarClient], Awaitable[Any]],
    message: str,
) -> None:
    err = await raises(ApiRefusedError, call(client), sim)

    assert err.server_message == message
    assert str(err) == message
    assert err.code == "1"
    assert sim.access_groups[1].users == [1750]
    assert sim.access_groups[1].access_levels == [53]


# -- faults ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", ApiResponseError),
        ("malformed", ApiResponseError),
        ("error_code", ApiRefusedError),
        ("429", ApiRateLimitError),
        ("timeout", ApiConnectionError),
        ("401", ApiAuthError),
    ],
)
async def test_faults_map_to_errors(
    make_client: ClientFactory,
    sim: BiostarSimulator,
    kind: str,
    error: type[DiveraAccessApiError],
) -> None:
    client = make_client(request_timeout=0.5)
    sim.timeout_delay = 5
    await client.async_login()
    sim.set_fault(kind, "/api/cards")

    err = await raises(error, client.async_get_cards(), sim)

    if isinstance(err, ApiRefusedError):
        assert err.server_message == sim.fault_message
        assert err.code == "1"
    sim.clear_faults()
    assert len(await client.async_get_cards()) == 3


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", ApiResponseError),
        ("malformed", ApiResponseError),
        ("401", ApiAuthError),
        ("429", ApiRateLimitError),
    ],
)
async def test_faults_at_login(
    client: BiostarClient, sim: BiostarSimulator, kind: str, error: type[DiveraAccessApiError]
) -> None:
    sim.set_fault(kind, "/api/login")

    await raises(error, client.async_login(), sim)


async def test_nobody_listening_is_a_connection_error(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    client = BiostarClient(
        session, f"http://127.0.0.1:{free_port()}", DEFAULT_LOGIN, DEFAULT_PASSWORD
    )

    with pytest.raises(ApiConnectionError) as exc_info:
        await client.async_get_users()
    assert_no_secret(exc_info.value)


async def test_secrets_stay_out_of_repr_and_errors(
    client: BiostarClient, sim: BiostarSimulator
) -> None:
    await client.async_login()
    sim.fault_message = f"Session {next(iter(sim.sessions))} with {DEFAULT_PASSWORD} refused"
    sim.set_fault("error_code", "/api/users")

    err = await raises(ApiRefusedError, client.async_get_users(), sim)

    assert "**REDACTED**" in err.server_message
    for secret in (DEFAULT_PASSWORD, *session_ids(sim)):
        assert secret not in repr(client)


# -- TLS -------------------------------------------------------------------


@pytest.fixture
def certs(tmp_path: Path) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """Return two different self-signed certificates with their keys."""
    return make_self_signed_cert(tmp_path), make_self_signed_cert(tmp_path)


@pytest.fixture
async def https_url(
    sim: BiostarSimulator,
    certs: tuple[tuple[Path, Path], tuple[Path, Path]],
    aborted_handshakes_tolerated: None,
    socket_enabled: None,
) -> AsyncIterator[str]:
    """Serve the simulator over HTTPS with the first certificate."""
    runner, url = await start_simulator(sim, ssl_context=server_ssl_context(*certs[0]))
    yield url
    await runner.cleanup()


async def test_self_signed_certificate_fails_verification(
    session: aiohttp.ClientSession, https_url: str, sim: BiostarSimulator
) -> None:
    client = BiostarClient(session, https_url, DEFAULT_LOGIN, DEFAULT_PASSWORD)

    await raises(ApiCertificateError, client.async_get_users(), sim)

    assert sim.requests == []


async def test_pinned_fingerprint_is_trusted(
    session: aiohttp.ClientSession,
    https_url: str,
    sim: BiostarSimulator,
    certs: tuple[tuple[Path, Path], tuple[Path, Path]],
) -> None:
    fingerprint = await async_fetch_certificate_fingerprint(https_url)
    client = BiostarClient(
        session,
        https_url,
        DEFAULT_LOGIN,
        DEFAULT_PASSWORD,
        verify_ssl=False,
        fingerprint=fingerprint.upper(),
    )

    users = await client.async_get_users()

    assert fingerprint == cert_fingerprint(certs[0][0])
    der = ssl.PEM_cert_to_DER_cert(certs[0][0].read_text(encoding="ascii"))
    assert fingerprint == sha256_fingerprint(der) == hashlib.sha256(der).hexdigest()
    assert len(users) == 4


async def test_no_verification_without_fingerprint_trusts_any_certificate(
    session: aiohttp.ClientSession, https_url: str
) -> None:
    client = BiostarClient(session, https_url, DEFAULT_LOGIN, DEFAULT_PASSWORD, verify_ssl=False)

    assert len(await client.async_get_cards()) == 3


async def test_changed_certificate_is_refused(
    session: aiohttp.ClientSession,
    sim: BiostarSimulator,
    certs: tuple[tuple[Path, Path], tuple[Path, Path]],
    aborted_handshakes_tolerated: None,
    socket_enabled: None,
) -> None:
    runner, url = await start_simulator(sim, ssl_context=server_ssl_context(*certs[0]))
    try:
        fingerprint = await async_fetch_certificate_fingerprint(url)
        client = BiostarClient(
            session,
            url,
            DEFAULT_LOGIN,
            DEFAULT_PASSWORD,
            verify_ssl=False,
            fingerprint=":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)),
        )
        await client.async_get_users()
    finally:
        await runner.cleanup()
    port = int(url.rsplit(":", 1)[1])
    runner, url = await start_simulator(sim, port=port, ssl_context=server_ssl_context(*certs[1]))
    try:
        err = await raises(ApiCertificateError, client.async_get_users(), sim)
        assert await async_fetch_certificate_fingerprint(url) != fingerprint
    finally:
        await runner.cleanup()

    assert "certificate" in str(err)
    assert len(sim.requests_to("/api/users")) == 1


async def test_fingerprint_of_plain_http_is_empty(base_url: str) -> None:
    assert await async_fetch_certificate_fingerprint(base_url) == ""


async def test_fingerprint_of_nothing_is_a_connection_error(socket_enabled: None) -> None:
    with pytest.raises(ApiConnectionError) as exc_info:
        await async_fetch_certificate_fingerprint(f"https://127.0.0.1:{free_port()}", timeout=2)
    assert exc_info.value.__cause__ is None


async def test_fingerprint_of_a_server_without_tls_is_a_connection_error(
    base_url: str,
) -> None:
    with pytest.raises(ApiConnectionError):
        await async_fetch_certificate_fingerprint(base_url.replace("http:", "https:"), timeout=2)


def test_a_bad_fingerprint_is_refused_at_once(session: aiohttp.ClientSession) -> None:
    with pytest.raises(ValueError, match="64 hex digits"):
        BiostarClient(
            session, "https://biostar.local", "admin", "pw", verify_ssl=False, fingerprint="ab"
        )


def test_url_without_scheme_means_https(session: aiohttp.ClientSession) -> None:
    client = BiostarClient(session, "biostar.local:8443/", "admin", "pw")

    assert client.url == "https://biostar.local:8443"


async def test_simulator_app_serves_without_the_client(
    session: aiohttp.ClientSession, base_url: str
) -> None:
    async with session.get(f"{base_url}/api/users") as response:
        body = await response.json()

    assert response.status == 401
    assert body == {"Response": {"code": "10", "message": "Login required."}}
