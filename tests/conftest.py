"""Fixtures: the simulators over loopback and set-up helpers for config entries."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Generator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.divera_access  # noqa: F401  (see STYLE.md: import before the plugin shadows it)
from custom_components.divera_access.const import (
    CONF_ACCESSKEY,
    CONF_BASE_URL,
    CONF_SYSTEM,
    DOMAIN,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)
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
async def divera_url(
    divera_sim: DiveraSimulator, socket_enabled: None
) -> AsyncGenerator[str]:
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
    assert_no_secrets(caplog.text)


def assert_no_secrets(text: Any) -> None:
    """No key, password or session id in the text."""
    for secret in SECRETS:
        assert secret not in str(text), f"secret leaked: {secret[:6]}…"
