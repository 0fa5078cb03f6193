"""Snapshots of every sensor a DIVERA unit and a BioStar server create."""

from __future__ import annotations

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from tests.conftest import setup_entry


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format, stored in tests/snapshots/."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def sensors_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """snapshot_platform wants one platform; the selects have tests of their own."""
    from custom_components import divera_access  # noqa: PLC0415

    monkeypatch.setattr(
        divera_access,
        "PLATFORMS",
        {system: [Platform.SENSOR] for system in divera_access.PLATFORMS},
    )


async def test_unit_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    divera_entry: MockConfigEntry,
    secrets_never_logged: None,
) -> None:
    await setup_entry(hass, divera_entry)
    await snapshot_platform(hass, entity_registry, snapshot, divera_entry.entry_id)


async def test_access_group_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    biostar_entry: MockConfigEntry,
    biostar_secrets_never_logged: None,
) -> None:
    await setup_entry(hass, biostar_entry)
    await snapshot_platform(hass, entity_registry, snapshot, biostar_entry.entry_id)
