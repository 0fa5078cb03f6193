"""A pinned BioStar certificate through Home Assistant: trusted, replaced, repaired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.divera_access.const import BIOSTAR_SCAN_INTERVAL, CONF_FINGERPRINT, DOMAIN
from tests.conftest import biostar_data, biostar_unique_id, setup_entry
from tests.simulators.biostar import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    BiostarSimulator,
    cert_fingerprint,
    server_ssl_context,
    start_simulator,
)

pytestmark = pytest.mark.usefixtures(
    "biostar_secrets_never_logged", "aborted_handshakes_tolerated", "socket_enabled"
)

type Certs = tuple[tuple[Path, Path], tuple[Path, Path]]


class TlsServer:
    """A simulator served over HTTPS that can come back on the same port with another cert."""

    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.port = 0

    async def start(self, sim: BiostarSimulator, cert: tuple[Path, Path]) -> None:
        runner, url = await start_simulator(
            sim, port=self.port, ssl_context=server_ssl_context(*cert)
        )
        self.runner, self.url = runner, url
        self.port = int(url.rsplit(":", 1)[1])

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


@pytest.fixture
async def server() -> AsyncIterator[TlsServer]:
    tls = TlsServer()
    yield tls
    await tls.stop()


@pytest.fixture
async def pinned_entry(
    hass: HomeAssistant, server: TlsServer, biostar_sim: BiostarSimulator, biostar_certs: Certs
) -> MockConfigEntry:
    """An entry set up against the first certificate, verification off, fingerprint pinned."""
    await server.start(biostar_sim, biostar_certs[0])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(server.url),
        data=biostar_data(
            server.url, verify_ssl=False, fingerprint=cert_fingerprint(biostar_certs[0][0])
        ),
    )
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)
    return entry


def issue_id(entry: MockConfigEntry) -> str:
    return f"certificate_changed_{entry.entry_id}"


def wache_tor(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_access_group_1"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def next_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    freezer.tick(BIOSTAR_SCAN_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def swap_certificate(
    server: TlsServer, cert: tuple[Path, Path], sim: BiostarSimulator
) -> None:
    await server.stop()
    await server.start(sim, cert)


async def test_pinned_certificate_is_trusted(
    hass: HomeAssistant,
    pinned_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert pinned_entry.state is ConfigEntryState.LOADED
    assert wache_tor(hass, pinned_entry) == "1"

    biostar_sim.access_groups[1].users.append(1751)
    await next_poll(hass, freezer)

    assert wache_tor(hass, pinned_entry) == "2"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id(pinned_entry)) is None
    assert biostar_sim.login_count == 1


async def test_another_certificate_is_refused_until_reconfigured(
    hass: HomeAssistant,
    pinned_entry: MockConfigEntry,
    server: TlsServer,
    biostar_certs: Certs,
    freezer: FrozenDateTimeFactory,
) -> None:
    impostor = BiostarSimulator.small()
    await swap_certificate(server, biostar_certs[1], impostor)

    await next_poll(hass, freezer)

    assert wache_tor(hass, pinned_entry) == STATE_UNAVAILABLE
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id(pinned_entry))
    assert issue is not None
    assert issue.translation_key == "certificate_changed"
    assert issue.translation_placeholders == {"name": "BioStar 127.0.0.1"}
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    # Not even the login reached the server with the other certificate.
    assert impostor.requests == []

    # An action fails the same way, and sends nothing either.
    with pytest.raises(HomeAssistantError) as exc_info:
        await hass.services.async_call(
            DOMAIN,
            "add_access_group_members",
            {"access_group": 1, "users": [1751]},
            blocking=True,
        )
    assert exc_info.value.translation_key == "certificate_error"
    assert "not the one trusted at setup" in str(exc_info.value)
    assert impostor.requests == []

    # Another poll: still refused, still one issue.
    await next_poll(hass, freezer)
    assert wache_tor(hass, pinned_entry) == STATE_UNAVAILABLE
    assert impostor.requests == []
    assert len(ir.async_get(hass).issues) == 1

    # The user replaced the certificate on purpose: reconfigure pins the new one.
    result = await pinned_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: server.url,
            CONF_USERNAME: DEFAULT_LOGIN,
            CONF_PASSWORD: DEFAULT_PASSWORD,
            CONF_VERIFY_SSL: False,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert pinned_entry.data[CONF_FINGERPRINT] == cert_fingerprint(biostar_certs[1][0])
    assert pinned_entry.state is ConfigEntryState.LOADED
    assert wache_tor(hass, pinned_entry) == "1"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id(pinned_entry)) is None
    assert impostor.requests_to("/api/login")


async def test_the_pinned_certificate_coming_back_clears_the_issue(
    hass: HomeAssistant,
    *,
    pinned_entry: MockConfigEntry,
    server: TlsServer,
    biostar_sim: BiostarSimulator,
    biostar_certs: Certs,
    freezer: FrozenDateTimeFactory,
) -> None:
    await swap_certificate(server, biostar_certs[1], biostar_sim)
    requests_before = len(biostar_sim.requests)
    await next_poll(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id(pinned_entry)) is not None
    assert len(biostar_sim.requests) == requests_before

    await swap_certificate(server, biostar_certs[0], biostar_sim)
    await next_poll(hass, freezer)

    assert wache_tor(hass, pinned_entry) == "1"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id(pinned_entry)) is None
    assert pinned_entry.data[CONF_FINGERPRINT] == cert_fingerprint(biostar_certs[0][0])


async def test_setup_against_another_certificate_retries_and_sends_nothing(
    hass: HomeAssistant,
    server: TlsServer,
    biostar_sim: BiostarSimulator,
    biostar_certs: Certs,
) -> None:
    await server.start(biostar_sim, biostar_certs[1])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(server.url),
        data=biostar_data(
            server.url, verify_ssl=False, fingerprint=cert_fingerprint(biostar_certs[0][0])
        ),
    )
    entry.add_to_hass(hass)

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id(entry)) is not None
    assert biostar_sim.requests == []


async def test_deleting_the_entry_removes_its_certificate_repair(
    hass: HomeAssistant, biostar_entry: MockConfigEntry
) -> None:
    from homeassistant.helpers import issue_registry as ir  # noqa: PLC0415

    from custom_components.divera_access.const import DOMAIN  # noqa: PLC0415

    issue_id = f"certificate_changed_{biostar_entry.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="certificate_changed",
        translation_placeholders={"name": biostar_entry.title},
    )
    assert await hass.config_entries.async_remove(biostar_entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
