"""Diagnostics, with keys, passwords, fingerprints and foreign ids redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_ACCESSKEY, CONF_FINGERPRINT, CONF_USER_LINKS
from .coordinator import (
    BiostarCoordinator,
    DiveraAccessConfigEntry,
    DiveraCoordinator,
    DiveraPersonalCoordinator,
)

TO_REDACT = {
    CONF_ACCESSKEY,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_FINGERPRINT,
    CONF_USER_LINKS,
    "foreign_id",
    "firstname",
    "lastname",
    "session_id",
}


def _coordinator_data(
    coordinator: DiveraCoordinator | DiveraPersonalCoordinator | BiostarCoordinator,
) -> dict[str, Any]:
    if isinstance(coordinator, DiveraCoordinator):
        data = coordinator.data
        return {
            "unit": asdict(data.unit),
            "status_names_available": coordinator.statuses_available,
            "members": [asdict(member) for member in data.members.values()],
        }
    if isinstance(coordinator, DiveraPersonalCoordinator):
        return {"member": asdict(coordinator.data)}
    return {"access_groups": [asdict(group) for group in coordinator.data.values()]}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DiveraAccessConfigEntry
) -> dict[str, Any]:
    """What support needs to see, and nothing secret."""
    coordinator = entry.runtime_data
    return {
        "entry": {
            # A member's own key is titled with the member's name.
            "title": REDACTED
            if isinstance(coordinator, DiveraPersonalCoordinator)
            else entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "last_update_success": coordinator.last_update_success,
        "data": async_redact_data(_coordinator_data(coordinator), TO_REDACT),
    }
