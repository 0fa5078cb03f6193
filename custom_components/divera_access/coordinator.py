"""Data update coordinators, one per remote system."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    MAX_FOREIGN_ID_LENGTH,
    ApiAuthError,
    ApiCertificateError,
    ApiConnectionError,
    ApiRateLimitError,
    ApiRefusedError,
    BiostarAccessGroup,
    BiostarClient,
    DiveraAccessApiError,
    DiveraClient,
    DiveraMember,
    DiveraPersonalInfo,
    DiveraStatus,
    DiveraUnit,
)
from .const import (
    BIOSTAR_SCAN_INTERVAL,
    DIVERA_SCAN_INTERVAL,
    DIVERA_UNIT_REFRESH,
    DOMAIN,
    EVENT_STATUS_SET,
)
from .status import StatusCatalog

_LOGGER = logging.getLogger(__package__)


def _translated[ErrorT: HomeAssistantError](
    error_class: type[ErrorT], err: DiveraAccessApiError
) -> ErrorT:
    """A translated error of the given class for a client error, without its cause chain."""
    placeholders: dict[str, str] | None = None
    if isinstance(err, ApiAuthError):
        key = "auth_failed"
    elif isinstance(err, ApiRateLimitError):
        key = "rate_limited"
    elif isinstance(err, ApiCertificateError):
        key = "certificate_error"
    elif isinstance(err, ApiConnectionError):
        key = "cannot_connect"
    elif isinstance(err, ApiRefusedError):
        key = "server_refused"
        placeholders = {"message": err.server_message}
    else:
        key = "invalid_response"
    return error_class(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _update_failed(err: DiveraAccessApiError) -> UpdateFailed:
    """The coordinator's failure for a client error."""
    return _translated(UpdateFailed, err)


@lru_cache(maxsize=16)
def catalog_for(statuses: tuple[DiveraStatus, ...]) -> StatusCatalog:
    """The index of a status list, built once for as long as the list is the same."""
    return StatusCatalog(statuses)


async def _poll[T](call: Callable[[], Awaitable[T]]) -> T:
    """Run a poll's request: refused credentials start reauth, other failures are translated."""
    try:
        return await call()
    except ApiAuthError:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from None
    except DiveraAccessApiError as err:
        raise _update_failed(err) from None


def action_failed(
    err: DiveraAccessApiError, hass: HomeAssistant, entry: ConfigEntry
) -> HomeAssistantError:
    """The user-facing error of an action for a client error.

    Refused credentials also start reauthentication, as a refused poll would.
    """
    if isinstance(err, ApiAuthError):
        entry.async_start_reauth(hass)
    return _translated(HomeAssistantError, err)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """Context of a status change, for the event and the logbook."""

    source: str
    tag_id: str | None = None
    device_id: str | None = None
    user_id: str | None = None
    tag_name: str | None = None


@dataclass(frozen=True, slots=True)
class DiveraUnitData:
    """Everything one poll of a unit yields."""

    unit: DiveraUnit
    members: dict[int, DiveraMember] = field(default_factory=dict)
    catalog: StatusCatalog = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Index the statuses once, not on every lookup."""
        object.__setattr__(self, "catalog", catalog_for(self.unit.statuses))


class DiveraCoordinator(DataUpdateCoordinator[DiveraUnitData]):
    """Polls all members of a unit with one request (system key)."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: DiveraClient) -> None:
        """Set up the coordinator for one unit."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"DIVERA unit {entry.title}",
            update_interval=DIVERA_SCAN_INTERVAL,
            always_update=False,
        )
        self.client = client
        self.cluster_id: int = int(entry.unique_id or 0)
        self._unit = DiveraUnit(cluster_id=self.cluster_id, name=entry.title, statuses=())
        self._unit_fetched: datetime | None = None
        self.statuses_available = False
        # Statuses this integration set, by user-cluster relation, with the number of the
        # change: a poll that was already under way must not bring the old status back.
        self._changes = 0
        self._pending: dict[int, tuple[int, int]] = {}

    async def _async_setup(self) -> None:
        await self._async_refresh_unit()

    async def _async_refresh_unit(self) -> None:
        """Read status names and colours.

        A system key may be refused there: then the ids are shown, and asked for again
        an hour later. Any other failure is retried at the next poll, and known names
        are never replaced by an empty list.
        """
        self._unit_fetched = dt_util.utcnow()
        try:
            unit = await self.client.async_get_unit()
        except ApiAuthError as err:
            _LOGGER.debug("Status names of %s refused: %s", self.config_entry.title, err)
            return
        except DiveraAccessApiError as err:
            _LOGGER.debug("Status names of %s unavailable: %s", self.config_entry.title, err)
            self._unit_fetched = None
            return
        if not unit.statuses and self._unit.statuses:
            self._unit_fetched = None
            return
        self.statuses_available = bool(unit.statuses)
        self._unit = replace(unit, cluster_id=self.cluster_id, name=unit.name or self._unit.name)

    def _unit_is_stale(self, members: Iterable[DiveraMember]) -> bool:
        if self._unit_fetched is None:
            return True
        age = dt_util.utcnow() - self._unit_fetched
        if age > DIVERA_UNIT_REFRESH:
            return True
        if not self.statuses_available:
            return False
        known = {status.id for status in self._unit.statuses}
        unknown = any(member.status_id not in known for member in members)
        return unknown and age > DIVERA_SCAN_INTERVAL * 10

    async def _async_update_data(self) -> DiveraUnitData:
        started_after = self._changes
        members = await _poll(self.client.async_get_members)
        if not members:
            # DIVERA sends [] for an empty object too. A unit is never empty: taking this
            # at its word would delete every member's entities on a glitch.
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="invalid_response")
        if self._unit_is_stale(members):
            await self._async_refresh_unit()
        return DiveraUnitData(unit=self._unit, members=self._with_pending(members, started_after))

    def _with_pending(
        self, members: Iterable[DiveraMember], started_after: int
    ) -> dict[int, DiveraMember]:
        """Members by relation id; statuses set while this poll was under way win."""
        self._pending = {
            ucr: pending for ucr, pending in self._pending.items() if pending[1] > started_after
        }
        result: dict[int, DiveraMember] = {}
        for member in members:
            pending = self._pending.get(member.user_cluster_relation_id)
            if pending is not None:
                member = replace(member, status_id=pending[0])  # noqa: PLW2901
            result[member.user_cluster_relation_id] = member
        return result

    def _sensor_entity_id(self, unique_id: str) -> str | None:
        return er.async_get(self.hass).async_get_entity_id("sensor", DOMAIN, unique_id)

    def member_by_foreign_id(self, foreign_id: str) -> DiveraMember | None:
        """Find a member by the foreign key (Fremdschlüssel), case-insensitively."""
        wanted = foreign_id.strip().casefold()
        for member in self.data.members.values():
            if member.foreign_id and member.foreign_id.casefold() == wanted:
                return member
        return None

    async def async_set_member_status(
        self, member: DiveraMember, status_id: int, change: StatusChange
    ) -> None:
        """Set a member's status and show it at once, without waiting for the next poll."""
        if member.foreign_id is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="member_without_foreign_id",
                translation_placeholders={"member": member.full_name},
            )
        if len(member.foreign_id) > MAX_FOREIGN_ID_LENGTH:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="foreign_id_too_long",
                translation_placeholders={"max": str(MAX_FOREIGN_ID_LENGTH)},
            )
        try:
            await self.client.async_set_status(member.foreign_id, status_id)
        except DiveraAccessApiError as err:
            raise action_failed(err, self.hass, self.config_entry) from None
        self._changes += 1
        self._pending[member.user_cluster_relation_id] = (status_id, self._changes)
        current = self.data.members.get(member.user_cluster_relation_id, member)
        updated = replace(current, status_id=status_id)
        members = {**self.data.members, member.user_cluster_relation_id: updated}
        self.async_set_updated_data(replace(self.data, members=members))
        fire_status_set(
            self.hass,
            self.config_entry,
            self.data.catalog,
            unit=self.config_entry.title,
            entity_id=self._sensor_entity_id(
                f"{self.cluster_id}_{member.user_cluster_relation_id}"
            ),
            member_name=member.full_name,
            foreign_id=member.foreign_id,
            from_status=current.status_id,
            to_status=status_id,
            change=change,
        )


class DiveraPersonalCoordinator(DataUpdateCoordinator[DiveraPersonalInfo]):
    """Polls one member's own status through their personal key."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: DiveraClient) -> None:
        """Set up the coordinator for one member."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"DIVERA member {entry.title}",
            update_interval=DIVERA_SCAN_INTERVAL,
            always_update=False,
        )
        self.client = client

    async def _async_update_data(self) -> DiveraPersonalInfo:
        return await _poll(self.client.async_get_personal_info)

    @property
    def catalog(self) -> StatusCatalog:
        """Statuses the member may choose."""
        return catalog_for(self.data.statuses)

    async def async_set_own_status(self, status_id: int, change: StatusChange) -> None:
        """Set the key owner's status and show it at once."""
        try:
            await self.client.async_set_own_status(status_id)
        except DiveraAccessApiError as err:
            raise action_failed(err, self.hass, self.config_entry) from None
        previous = self.data.status_id
        self.async_set_updated_data(replace(self.data, status_id=status_id))
        fire_status_set(
            self.hass,
            self.config_entry,
            self.catalog,
            unit=self.data.unit_name or f"DIVERA {self.data.cluster_id}",
            entity_id=er.async_get(self.hass).async_get_entity_id(
                "sensor",
                DOMAIN,
                f"{self.data.cluster_id}_{self.data.user_cluster_relation_id}_status",
            ),
            member_name=self.data.full_name,
            foreign_id=None,
            from_status=previous,
            to_status=status_id,
            change=change,
        )


def fire_status_set(
    hass: HomeAssistant,
    entry: ConfigEntry,
    catalog: StatusCatalog,
    *,
    unit: str,
    entity_id: str | None,
    member_name: str,
    foreign_id: str | None,
    from_status: int,
    to_status: int,
    change: StatusChange,
) -> None:
    """Announce a status change the integration made (event, and so the logbook)."""
    data: dict[str, Any] = {
        "entry_id": entry.entry_id,
        "unit": unit,
        "member": member_name,
        "foreign_id": foreign_id,
        "from_status": catalog.label(from_status),
        "to_status": catalog.label(to_status),
        "from_status_id": from_status,
        "to_status_id": to_status,
        "source": change.source,
    }
    if entity_id is not None:
        # Lets the logbook show the line on the member's sensor and in logbook cards.
        data["entity_id"] = entity_id
    if change.tag_id is not None:
        data["tag_id"] = change.tag_id
    if change.device_id is not None:
        data["device_id"] = change.device_id
    if change.user_id is not None:
        data["user_id"] = change.user_id
    if change.tag_name is not None:
        data["tag_name"] = change.tag_name
    hass.bus.async_fire(EVENT_STATUS_SET, data)


class BiostarCoordinator(DataUpdateCoordinator[dict[int, BiostarAccessGroup]]):
    """Polls the access groups of one BioStar server; serialises edits per group."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: BiostarClient) -> None:
        """Set up the coordinator for one BioStar server."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=BIOSTAR_SCAN_INTERVAL,
            always_update=False,
        )
        self.client = client
        self._group_locks: dict[int, asyncio.Lock] = {}
        self._create_lock = asyncio.Lock()
        self._published: dict[int, BiostarAccessGroup | None] = {}

    async def _async_update_data(self) -> dict[int, BiostarAccessGroup]:
        self._published = {}
        try:
            groups = await _poll(self.client.async_get_access_groups)
        except UpdateFailed as err:
            if err.translation_key == "certificate_error":
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    f"certificate_changed_{self.config_entry.entry_id}",
                    is_fixable=False,
                    severity=ir.IssueSeverity.ERROR,
                    translation_key="certificate_changed",
                    translation_placeholders={"name": self.config_entry.title},
                )
            raise
        ir.async_delete_issue(
            self.hass, DOMAIN, f"certificate_changed_{self.config_entry.entry_id}"
        )
        return self._with_published({group.id: group for group in groups})

    def _with_published(
        self, groups: dict[int, BiostarAccessGroup]
    ) -> dict[int, BiostarAccessGroup]:
        """Let actions that finished while a poll was reading win over its older reading."""
        for group_id, group in self._published.items():
            if group is None:
                groups.pop(group_id, None)
            else:
                groups[group_id] = group
        return groups

    def group_lock(self, group_id: int) -> asyncio.Lock:
        """The lock that serialises read-merge-write edits of one access group."""
        return self._group_locks.setdefault(group_id, asyncio.Lock())

    @property
    def create_lock(self) -> asyncio.Lock:
        """The lock that serialises creating and deleting groups."""
        return self._create_lock

    def publish_group(self, group: BiostarAccessGroup | None, group_id: int) -> None:
        """Show an edited (or deleted, when None) group at once."""
        self._published[group_id] = group
        groups = dict(self.data)
        if group is None:
            groups.pop(group_id, None)
            self._group_locks.pop(group_id, None)
        else:
            groups[group.id] = group
        self.async_set_updated_data(groups)

    async def async_call[T](self, call: Callable[[], Awaitable[T]]) -> T:
        """Run one client call of an action, translating its errors for the user."""
        try:
            return await call()
        except DiveraAccessApiError as err:
            raise action_failed(err, self.hass, self.config_entry) from None


type DiveraAccessConfigEntry = ConfigEntry[
    DiveraCoordinator | DiveraPersonalCoordinator | BiostarCoordinator
]
type DiveraConfigEntry = ConfigEntry[DiveraCoordinator]
type DiveraPersonalConfigEntry = ConfigEntry[DiveraPersonalCoordinator]
type BiostarConfigEntry = ConfigEntry[BiostarCoordinator]
