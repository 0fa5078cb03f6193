"""Diagnostics of a BioStar server: access groups for support, no password, session or pin."""

from __future__ import annotations

import json
from pathlib import Path

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

from custom_components.divera_access.const import CONF_ARRIVAL_GROUPS, DOMAIN
from tests.conftest import biostar_data, biostar_session_ids, biostar_unique_id, setup_entry
from tests.simulators.biostar import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    BiostarSimulator,
    cert_fingerprint,
)

pytestmark = pytest.mark.usefixtures("biostar_secrets_never_logged")

# The simulator listens on a random port.
ANY_URL = path_type({"entry.data.url": (str,)})
REDACTED = "**REDACTED**"


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format, stored in tests/snapshots/."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


def assert_nothing_secret(diagnostics: object, sim: BiostarSimulator, *more: str) -> None:
    text = json.dumps(diagnostics)
    session_ids = biostar_session_ids(sim)
    assert session_ids, "the server handed out no session to look for"
    for secret in (DEFAULT_PASSWORD, *session_ids, *more):
        assert secret not in text
    assert f'"{DEFAULT_LOGIN}"' not in text


async def test_pinned_server_diagnostics(
    hass: HomeAssistant,
    *,
    hass_client: ClientSessionGenerator,
    biostar_sim: BiostarSimulator,
    biostar_https_url: str,
    biostar_certs: tuple[tuple[Path, Path], tuple[Path, Path]],
    snapshot: SnapshotAssertion,
) -> None:
    fingerprint = cert_fingerprint(biostar_certs[0][0])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(biostar_https_url),
        data=biostar_data(biostar_https_url, verify_ssl=False, fingerprint=fingerprint),
        options={CONF_ARRIVAL_GROUPS: [1]},
    )
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics == snapshot(matcher=ANY_URL)
    data = diagnostics["entry"]["data"]
    assert data["url"] == biostar_https_url
    assert data["password"] == REDACTED
    assert data["username"] == REDACTED
    assert data["fingerprint"] == REDACTED
    assert data["verify_ssl"] is False
    assert diagnostics["entry"]["options"] == {CONF_ARRIVAL_GROUPS: [1]}
    assert [group["id"] for group in diagnostics["data"]["access_groups"]] == [1, 2]
    assert_nothing_secret(diagnostics, biostar_sim, fingerprint, fingerprint.upper())


async def test_diagnostics_while_the_server_fails(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    biostar_sim: BiostarSimulator,
    biostar_entry: MockConfigEntry,
) -> None:
    await setup_entry(hass, biostar_entry)
    biostar_sim.set_fault("500")
    await biostar_entry.runtime_data.async_refresh()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, biostar_entry)

    assert diagnostics["last_update_success"] is False
    assert diagnostics["entry"]["data"]["fingerprint"] is None
    assert diagnostics["entry"]["data"]["password"] == REDACTED
    assert len(diagnostics["data"]["access_groups"]) == 2
    assert_nothing_secret(diagnostics, biostar_sim)
