"""DIVERA Access: DIVERA 24/7 units and Suprema BioStar 2 access groups in Home Assistant."""

from __future__ import annotations

from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import BiostarClient, DiveraClient
from .assist import async_setup_personal_sentences, async_setup_unit_sentences
from .const import (
    CONF_ACCESSKEY,
    CONF_BASE_URL,
    CONF_FINGERPRINT,
    CONF_SYSTEM,
    DOMAIN,
    SYSTEM_BIOSTAR,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)
from .coordinator import (
    BiostarCoordinator,
    DiveraAccessConfigEntry,
    DiveraCoordinator,
    DiveraPersonalCoordinator,
)
from .services import async_setup_services
from .tags import async_setup_tags

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: dict[str, list[Platform]] = {
    SYSTEM_DIVERA: [Platform.SENSOR, Platform.SELECT],
    SYSTEM_DIVERA_PERSONAL: [Platform.SENSOR, Platform.SELECT],
    SYSTEM_BIOSTAR: [Platform.SENSOR],
}


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the tag listener once, for all entries."""
    async_setup_services(hass)
    async_setup_tags(hass)
    return True


def _coordinator(
    hass: HomeAssistant, entry: DiveraAccessConfigEntry
) -> DiveraCoordinator | DiveraPersonalCoordinator | BiostarCoordinator:
    data = entry.data
    system = data[CONF_SYSTEM]
    if system == SYSTEM_BIOSTAR:
        verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
        client = BiostarClient(
            async_get_clientsession(hass, verify_ssl=verify_ssl),
            data[CONF_URL],
            data[CONF_USERNAME],
            data[CONF_PASSWORD],
            verify_ssl=verify_ssl,
            fingerprint=data.get(CONF_FINGERPRINT),
        )
        return BiostarCoordinator(hass, entry, client)
    divera = DiveraClient(async_get_clientsession(hass), data[CONF_ACCESSKEY], data[CONF_BASE_URL])
    if system == SYSTEM_DIVERA:
        return DiveraCoordinator(hass, entry, divera)
    return DiveraPersonalCoordinator(hass, entry, divera)


async def async_setup_entry(hass: HomeAssistant, entry: DiveraAccessConfigEntry) -> bool:
    """Connect to the remote system and set up its entities."""
    coordinator = _coordinator(hass, entry)
    if isinstance(coordinator, BiostarCoordinator):
        # Log the session out on unload, so reloads leave no sessions behind on the server.
        entry.async_on_unload(coordinator.client.async_close)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS[entry.data[CONF_SYSTEM]])
    if entry.data[CONF_SYSTEM] == SYSTEM_DIVERA:
        async_setup_unit_sentences(hass, entry)
    elif entry.data[CONF_SYSTEM] == SYSTEM_DIVERA_PERSONAL:
        async_setup_personal_sentences(hass, entry)
    return True


async def async_remove_entry(hass: HomeAssistant, entry: DiveraAccessConfigEntry) -> None:
    """A deleted BioStar entry leaves no repair about its certificate behind."""
    ir.async_delete_issue(hass, DOMAIN, f"certificate_changed_{entry.entry_id}")


async def async_unload_entry(hass: HomeAssistant, entry: DiveraAccessConfigEntry) -> bool:
    """Unload the entities of an entry."""
    return await hass.config_entries.async_unload_platforms(
        entry, PLATFORMS[entry.data[CONF_SYSTEM]]
    )
