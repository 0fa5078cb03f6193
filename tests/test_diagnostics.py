"""Diagnostics: what support sees of a DIVERA unit or member, and that no secret is in it."""

from __future__ import annotations

import json

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from custom_components.divera_access.const import CONF_TAG_STATUS, CONF_USER_LINKS
from tests.conftest import SECRETS, poll, setup_entry
from tests.simulators.divera import DiveraSimulator

pytestmark = pytest.mark.usefixtures("secrets_never_logged")

# The simulator listens on a random port.
ANY_BASE_URL = path_type({"entry.data.base_url": (str,)})
FOREIGN_IDS = ("0451A2B3C4", "0451D5E6F7")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format, stored in tests/snapshots/."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


def assert_nothing_secret(diagnostics: object) -> None:
    text = json.dumps(diagnostics)
    for secret in (*SECRETS, *FOREIGN_IDS, "PERSONAL-KEY", "Mustermann", "Musterfrau"):
        assert secret not in text, secret


async def test_unit_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    divera_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    hass.config_entries.async_update_entry(
        divera_entry, options={CONF_TAG_STATUS: "1", CONF_USER_LINKS: {"user-id": 1001}}
    )
    await setup_entry(hass, divera_entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, divera_entry)

    assert diagnostics == snapshot(matcher=ANY_BASE_URL)
    assert diagnostics["entry"]["data"]["base_url"] == divera_entry.data["base_url"]
    assert_nothing_secret(diagnostics)
    assert "user-id" not in json.dumps(diagnostics)


async def test_unit_diagnostics_while_divera_fails(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
) -> None:
    await setup_entry(hass, divera_entry)
    divera_sim.set_fault("500")
    await poll(hass)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, divera_entry)

    assert diagnostics["last_update_success"] is False
    assert len(diagnostics["data"]["members"]) == 3
    assert_nothing_secret(diagnostics)


async def test_member_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    personal_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    await setup_entry(hass, personal_entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, personal_entry)

    assert diagnostics == snapshot(matcher=ANY_BASE_URL)
    assert_nothing_secret({k: v for k, v in diagnostics.items() if k != "entry"})
    assert "PERSONAL-KEY" not in json.dumps(diagnostics)
