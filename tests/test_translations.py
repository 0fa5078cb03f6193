"""Everything a user reads exists in English and German."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import DOMAIN
from tests.conftest import setup_entry

ROOT = Path(__file__).parents[1] / "custom_components" / "divera_access"


def _keys(node: Any, prefix: str = "") -> set[str]:
    if isinstance(node, dict):
        return {key for k, v in node.items() for key in _keys(v, f"{prefix}.{k}")}
    return {prefix}


def _load(name: str) -> Any:
    return json.loads((ROOT / name).read_text(encoding="utf-8"))


def test_english_and_german_say_the_same_things() -> None:
    en, de = _load("translations/en.json"), _load("translations/de.json")
    assert _keys(en) == _keys(de)
    assert _load("strings.json") == en
    assert en != de


async def test_units_are_translated(
    hass: HomeAssistant, divera_entry: MockConfigEntry, biostar_entry: MockConfigEntry
) -> None:
    """States carry the English unit; the frontend shows it in the user's language."""
    hass.config.language = "de"
    await setup_entry(hass, divera_entry)  # sets up every entry of the integration
    registry = er.async_get(hass)
    count = registry.async_get_entity_id("sensor", DOMAIN, "4711_status_1")
    group = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{biostar_entry.entry_id}_access_group_1"
    )
    assert count is not None
    assert group is not None
    assert hass.states.get(count).attributes["unit_of_measurement"] == "members"
    assert hass.states.get(group).attributes["unit_of_measurement"] == "users"
    german = _load("translations/de.json")["entity"]["sensor"]
    assert german["status_count"]["unit_of_measurement"] == "Mitglieder"
    assert german["access_group"]["unit_of_measurement"] == "Benutzer"
