"""Fixtures: the simulators over loopback and set-up helpers for config entries."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncGenerator, Generator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

import custom_components.divera_access  # noqa: F401  (see STYLE.md: import before the plugin shadows it)
from custom_components.divera_access.const import (
    CONF_ACCESSKEY,
    CONF_BASE_URL,
    CONF_FINGERPRINT,
    CONF_SYSTEM,
    DOMAIN,
    SYSTEM_BIOSTAR,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)
from tests.simulators.biostar import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    SESSION_HEADER,
    BiostarSimulator,
    make_self_signed_cert,
    server_ssl_context,
)
from tests.simulators.biostar import start_simulator as start_biostar
from tests.simulators.divera import SYSTEM_KEY, DiveraSimulator
from tests.simulators.divera import start_simulator as start_divera

SECRETS = [SYSTEM_KEY, "PERSONAL-KEY-MAX-0001", "BioStar-Secret-Pw1"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom integrations in every test."""


@pytest.fixture
def divera_sim() -> DiveraSimulator:
    """A small DIVERA unit: three members, four statuses, status names readable."""
    sim = DiveraSimulator.small()
    sim.system_key_may_pull = True
    return sim


@pytest.fixture
async def divera_url(divera_sim: DiveraSimulator, socket_enabled: None) -> AsyncGenerator[str]:
    """The simulator's base URL on loopback."""
    runner, url = await start_divera(divera_sim)
    yield url
    await runner.cleanup()


@pytest.fixture
def divera_entry(hass: HomeAssistant, divera_url: str) -> MockConfigEntry:
    """A DIVERA unit entry as the config flow creates it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Feuerwehr Musterstadt",
        unique_id="4711",
        data={CONF_SYSTEM: SYSTEM_DIVERA, CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url},
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
def personal_entry(hass: HomeAssistant, divera_url: str) -> MockConfigEntry:
    """Max Mustermann's own key."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Max Mustermann",
        unique_id="4711_1001",
        data={
            CONF_SYSTEM: SYSTEM_DIVERA_PERSONAL,
            CONF_ACCESSKEY: "PERSONAL-KEY-MAX-0001",
            CONF_BASE_URL: divera_url,
        },
    )
    entry.add_to_hass(hass)
    return entry


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up one entry and wait until its entities exist."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def secrets_never_logged(caplog: pytest.LogCaptureFixture) -> Generator[None]:
    """Fail the test if any key or password reached a log record, at any level."""
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secrets(captured_log_text(caplog))


def captured_log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every record of set-up, call and teardown, with tracebacks.

    ``caplog.text`` in a fixture's teardown holds the teardown phase only.
    """
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    return "\n".join(caplog.handler.format(record) for record in records)


def assert_no_secrets(text: Any) -> None:
    """No key, password or session id in the text."""
    for secret in SECRETS:
        assert secret not in str(text), f"secret leaked: {secret[:6]}…"


# --- DIVERA: a second unit, polling and in-flight helpers ------------------------------------

SECOND_SYSTEM_KEY = "SYSTEM-KEY-SECRET-0002"
SECRETS.append(SECOND_SYSTEM_KEY)


@pytest.fixture
def second_divera_sim() -> DiveraSimulator:
    """A neighbouring unit (4712) whose member Petra carries Max's foreign id as well."""
    sim = DiveraSimulator(
        cluster_id=4712, cluster_name="Feuerwehr Nachbarstadt", system_keys={SECOND_SYSTEM_KEY}
    )
    sim.system_key_may_pull = True
    sim.add_status(1, "Einsatzbereit", "#2ecc71")
    sim.add_status(4, "Nicht einsatzbereit", "#e74c3c")
    sim.add_member(
        "Petra", "Nachbar", user_id=201, user_cluster_relation_id=2001,
        foreign_id="0451A2B3C4", status_id=4, access_key="PERSONAL-KEY-PETRA-0201",
    )  # fmt: skip
    return sim


@pytest.fixture
async def second_divera_url(
    second_divera_sim: DiveraSimulator, socket_enabled: None
) -> AsyncGenerator[str]:
    """The second unit's simulator on loopback."""
    runner, url = await start_divera(second_divera_sim)
    yield url
    await runner.cleanup()


@pytest.fixture
def second_divera_entry(hass: HomeAssistant, second_divera_url: str) -> MockConfigEntry:
    """The second unit's entry."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Feuerwehr Nachbarstadt",
        unique_id="4712",
        data={
            CONF_SYSTEM: SYSTEM_DIVERA,
            CONF_ACCESSKEY: SECOND_SYSTEM_KEY,
            CONF_BASE_URL: second_divera_url,
        },
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
def closed_port_url(socket_enabled: None) -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def poll(hass: HomeAssistant, seconds: float = 31) -> None:
    """Jump past the poll interval and wait until the scheduled poll has finished."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


async def wait_for_request(sim: DiveraSimulator, path: str, count: int = 1) -> None:
    """Wait (a few seconds at most) until the simulator has received a request to path."""
    async with asyncio.timeout(5):
        while len(sim.requests_to(path)) < count:  # noqa: ASYNC110  (the simulator has no event)
            await asyncio.sleep(0.01)


# --- BioStar: the small server over HTTP or HTTPS, its entry, session ids ---------------------


@pytest.fixture
def biostar_sim() -> BiostarSimulator:
    """Four users, three cards (one unassigned), two user groups, access groups 1 and 2."""
    return BiostarSimulator.small()


@pytest.fixture
async def biostar_url(biostar_sim: BiostarSimulator, socket_enabled: None) -> AsyncGenerator[str]:
    """The BioStar simulator's base URL on loopback (plain HTTP)."""
    runner, url = await start_biostar(biostar_sim)
    yield url
    await runner.cleanup()


def biostar_unique_id(url: str) -> str:
    """host:port, as the config flow makes it."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def biostar_data(
    url: str, *, verify_ssl: bool = True, fingerprint: str | None = None
) -> dict[str, Any]:
    """The data of a BioStar entry as the config flow stores it."""
    return {
        CONF_SYSTEM: SYSTEM_BIOSTAR,
        CONF_URL: url,
        CONF_USERNAME: DEFAULT_LOGIN,
        CONF_PASSWORD: DEFAULT_PASSWORD,
        CONF_VERIFY_SSL: verify_ssl,
        CONF_FINGERPRINT: fingerprint,
    }


@pytest.fixture
def biostar_entry(hass: HomeAssistant, biostar_url: str) -> MockConfigEntry:
    """A BioStar server entry (plain HTTP) as the config flow creates it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="01BIOSTAR0ENTRY0000000000",
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(biostar_url),
        data=biostar_data(biostar_url),
    )
    entry.add_to_hass(hass)
    return entry


def biostar_session_ids(sim: BiostarSimulator) -> set[str]:
    """Every session id the server handed out that was used or is still valid."""
    used = {request.headers[SESSION_HEADER] for request in sim.requests if request.has_session}
    return used | sim.sessions


@pytest.fixture
def biostar_secrets_never_logged(
    secrets_never_logged: None, caplog: pytest.LogCaptureFixture, biostar_sim: BiostarSimulator
) -> Generator[None]:
    """Like secrets_never_logged, and no BioStar session id either."""
    yield
    text = captured_log_text(caplog)
    for session_id in biostar_session_ids(biostar_sim):
        assert session_id not in text, "a BioStar session id was logged"


@pytest.fixture
def biostar_certs(tmp_path: Path) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """Two different self-signed certificates (certfile, keyfile)."""
    return make_self_signed_cert(tmp_path), make_self_signed_cert(tmp_path)


@pytest.fixture
async def aborted_handshakes_tolerated(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Let a client hang up in the middle of a TLS handshake.

    That is what a client refusing a certificate does; the test loop runs in
    debug mode, where asyncio reports it on the server side, and ``hass``
    would fail the test for it.
    """
    loop = asyncio.get_running_loop()
    report = loop.get_exception_handler()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == "Error on transport creation for incoming connection":
            return
        if report is None:
            loop.default_exception_handler(context)
        else:
            report(loop, context)

    loop.set_exception_handler(handle)
    yield
    loop.set_exception_handler(report)


@pytest.fixture
async def biostar_https_url(
    biostar_sim: BiostarSimulator,
    biostar_certs: tuple[tuple[Path, Path], tuple[Path, Path]],
    aborted_handshakes_tolerated: None,
    socket_enabled: None,
) -> AsyncGenerator[str]:
    """The BioStar simulator over HTTPS with the first self-signed certificate."""
    runner, url = await start_biostar(
        biostar_sim, ssl_context=server_ssl_context(*biostar_certs[0])
    )
    yield url
    await runner.cleanup()
