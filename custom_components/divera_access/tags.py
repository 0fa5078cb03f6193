"""NFC check-in: a scanned tag whose id is a member's foreign key sets their status.

The tag id is also read as a BioStar card number, so the same tap can let the
member through the door on arrival and take them out of the door group on leave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .api import DiveraMember
from .const import (
    CONF_ARRIVAL_GROUPS,
    CONF_SYSTEM,
    CONF_TAG_SECOND_STATUS,
    CONF_TAG_STATUS,
    DOMAIN,
    SOURCE_TAG,
    SYSTEM_BIOSTAR,
    SYSTEM_DIVERA,
    TAG_DEBOUNCE,
)
from .coordinator import BiostarCoordinator, DiveraCoordinator, StatusChange
from .services import async_edit_members, resolve_cards

_LOGGER = logging.getLogger(__package__)

EVENT_TAG_SCANNED = "tag_scanned"
NO_STATUS = "none"


@dataclass(frozen=True, slots=True)
class Scan:
    """One tag scan."""

    tag_id: str
    device_id: str | None
    tag_name: str | None


def _configured_status(value: object) -> int | None:
    text = str(value or NO_STATUS)
    return int(text) if text.isdigit() else None


def next_status(current: int, arrive: int, leave: int | None) -> int:
    """The status a scan sets: arrival, or back to the second status when already arrived."""
    if leave is not None and current == arrive:
        return leave
    return arrive


class TagHandler:
    """Listens for tag scans and turns them into status and door-group changes."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with no recent scans."""
        self.hass = hass
        self._recent: dict[str, float] = {}

    def _debounced(self, tag_id: str) -> bool:
        """Whether this tag was just scanned (one tap must not toggle twice)."""
        now = dt_util.utcnow().timestamp()
        last = self._recent.get(tag_id)
        self._recent = {
            key: when
            for key, when in self._recent.items()
            if now - when < TAG_DEBOUNCE.total_seconds()
        }
        if last is not None and now - last < TAG_DEBOUNCE.total_seconds():
            return True
        self._recent[tag_id] = now
        return False

    @callback
    def async_handle_event(self, event: Event) -> None:
        """React to `tag_scanned`; unknown tags are ignored without a word."""
        tag_id = str(event.data.get("tag_id") or "").strip()
        if not tag_id:
            return
        name = event.data.get("name")
        if name == f"Tag {tag_id}":
            # Home Assistant's default name for an unnamed tag: it would only repeat the
            # tag id (a member's foreign key) in the logbook.
            name = None
        scan = Scan(tag_id, event.data.get("device_id"), name)
        if not self._concerns_us(scan) or self._debounced(scan.tag_id.casefold()):
            return
        self.hass.async_create_task(self._async_process(scan), eager_start=True)

    def _units(self) -> list[DiveraCoordinator]:
        return [
            entry.runtime_data
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
            and entry.data.get(CONF_SYSTEM) == SYSTEM_DIVERA
            and _configured_status(entry.options.get(CONF_TAG_STATUS)) is not None
        ]

    def _door_servers(self) -> list[BiostarCoordinator]:
        return [
            entry.runtime_data
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
            and entry.data.get(CONF_SYSTEM) == SYSTEM_BIOSTAR
            and entry.options.get(CONF_ARRIVAL_GROUPS)
        ]

    def _concerns_us(self, scan: Scan) -> bool:
        if self._door_servers():
            return True
        return any(unit.member_by_foreign_id(scan.tag_id) for unit in self._units())

    async def _async_process(self, scan: Scan) -> None:
        arrived: bool | None = None
        for unit in self._units():
            member = unit.member_by_foreign_id(scan.tag_id)
            if member is not None:
                arrived = await self._async_set_divera(unit, member, scan)
        for server in self._door_servers():
            await self._async_set_doors(server, scan, arrived=arrived)

    async def _async_set_divera(
        self, unit: DiveraCoordinator, member: DiveraMember, scan: Scan
    ) -> bool | None:
        """Set the member's status; True on arrival, False on leave, None on failure."""
        arrive = _configured_status(unit.config_entry.options.get(CONF_TAG_STATUS))
        assert arrive is not None
        leave = _configured_status(unit.config_entry.options.get(CONF_TAG_SECOND_STATUS))
        status_id = next_status(member.status_id, arrive, leave)
        change = StatusChange(
            source=SOURCE_TAG, tag_id=scan.tag_id, device_id=scan.device_id, tag_name=scan.tag_name
        )
        try:
            await unit.async_set_member_status(member, status_id, change)
        except HomeAssistantError as err:
            _LOGGER.warning("Tag scan for %s: status not set: %s", member.full_name, err)
            return None
        return status_id == arrive

    async def _async_set_doors(
        self, server: BiostarCoordinator, scan: Scan, *, arrived: bool | None
    ) -> None:
        try:
            users = await resolve_cards(server, [scan.tag_id])
        except ServiceValidationError:
            return  # not a card of this server: ignore like any unknown tag
        except HomeAssistantError as err:
            title = server.config_entry.title
            _LOGGER.warning("Tag scan: %s did not list its cards: %s", title, err)
            return
        groups = [
            int(group)
            for group in server.config_entry.options.get(CONF_ARRIVAL_GROUPS, [])
            if int(group) in server.data
        ]
        if arrived is None:
            arrived = any(user not in server.data[g].user_ids for g in groups for user in users)
        for group_id in groups:
            try:
                if arrived:
                    await async_edit_members(server, group_id, add_users=users)
                else:
                    await async_edit_members(server, group_id, remove_users=users)
            except HomeAssistantError as err:
                _LOGGER.warning("Tag scan: access group %s not changed: %s", group_id, err)


@callback
def async_setup_tags(hass: HomeAssistant) -> None:
    """Listen for tag scans for as long as Home Assistant runs."""
    handler = TagHandler(hass)
    hass.bus.async_listen(EVENT_TAG_SCANNED, handler.async_handle_event)
