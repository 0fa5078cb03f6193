"""Logbook lines for the status changes the integration makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, EVENT_STATUS_SET

_BY_SOURCE = {
    "en": {
        "tag": "by tag",
        "action": "by action",
        "voice": "by voice",
        "dashboard": "on the dashboard",
    },
    "de": {
        "tag": "per Tag",
        "action": "per Aktion",
        "voice": "per Sprache",
        "dashboard": "im Dashboard",
    },
}
_AT = {"en": "at", "de": "an"}
_ICONS = {
    "tag": "mdi:nfc-variant",
    "action": "mdi:play-circle-outline",
    "voice": "mdi:microphone",
    "dashboard": "mdi:view-dashboard",
}


def describe_status_set(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, str]:
    """'Max Mustermann: Einsatzbereit, by tag at Wache Tor' in the user's language."""
    language = "de" if hass.config.language.startswith("de") else "en"
    source = str(data.get("source", ""))
    line = f"{data.get('to_status')}, {_BY_SOURCE[language].get(source, source)}"
    place = data.get("tag_name")
    if not place and (device_id := data.get("device_id")):
        device = dr.async_get(hass).async_get(device_id)
        place = (device.name_by_user or device.name) if device else None
    if place:
        line += f" {_AT[language]} {place}"
    described = {
        LOGBOOK_ENTRY_NAME: f"{data.get('member')}:",
        LOGBOOK_ENTRY_MESSAGE: line,
        LOGBOOK_ENTRY_ICON: _ICONS.get(source, "mdi:account-switch"),
    }
    if entity_id := data.get("entity_id"):
        described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
    return described


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe status changes in the logbook."""

    @callback
    def _describe(event: Event) -> dict[str, str]:
        return describe_status_set(hass, dict(event.data))

    async_describe_event(DOMAIN, EVENT_STATUS_SET, _describe)
