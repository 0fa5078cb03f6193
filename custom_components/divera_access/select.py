"""Selects to change a status from a dashboard."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_SYSTEM, DOMAIN, SOURCE_DASHBOARD, SYSTEM_DIVERA
from .coordinator import (
    DiveraAccessConfigEntry,
    DiveraCoordinator,
    DiveraPersonalCoordinator,
    StatusChange,
)
from .entity import DiveraMemberEntity, DiveraPersonalEntity, async_track_keyed_entities
from .status import StatusCatalog

PARALLEL_UPDATES = 1


def _status_id(catalog: StatusCatalog, option: str) -> int:
    status_id = catalog.resolve(option)
    if status_id is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_status",
            translation_placeholders={"status": option, "statuses": ", ".join(catalog.names)},
        )
    return status_id


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiveraAccessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the status selects of a unit's members or of one member."""
    coordinator = entry.runtime_data
    if entry.data[CONF_SYSTEM] == SYSTEM_DIVERA:
        assert isinstance(coordinator, DiveraCoordinator)

        def factory(ucr_id: int) -> list[Entity]:
            return [DiveraMemberSelect(coordinator, ucr_id)]

        async_track_keyed_entities(
            coordinator, lambda: coordinator.data.members, factory, async_add_entities, "select"
        )
    else:
        assert isinstance(coordinator, DiveraPersonalCoordinator)
        async_add_entities([DiveraPersonalSelect(coordinator)])


class DiveraMemberSelect(DiveraMemberEntity, SelectEntity):
    """Change any member's status from a dashboard (disabled until wanted)."""

    _attr_entity_registry_enabled_default = False
    _attr_translation_key = "member_status"

    def __init__(self, coordinator: DiveraCoordinator, ucr_id: int) -> None:
        """Bind the select to a member."""
        super().__init__(coordinator, coordinator.data.members[ucr_id])

    @property
    def options(self) -> list[str]:
        """The unit's statuses."""
        catalog = self.coordinator.data.catalog
        if catalog:
            return catalog.names
        ids = {member.status_id for member in self.coordinator.data.members.values()}
        return [str(status_id) for status_id in sorted(ids)]

    @property
    def current_option(self) -> str | None:
        """The member's status."""
        return self.coordinator.data.catalog.label(self.member.status_id)

    async def async_select_option(self, option: str) -> None:
        """Set the member's status in DIVERA."""
        status_id = _status_id(self.coordinator.data.catalog, option)
        await self.coordinator.async_set_member_status(
            self.member,
            status_id,
            StatusChange(source=SOURCE_DASHBOARD, user_id=self._context_user_id()),
        )

    def _context_user_id(self) -> str | None:
        return self._context.user_id if self._context else None


class DiveraPersonalSelect(DiveraPersonalEntity, SelectEntity):
    """The key owner's status buttons."""

    def __init__(self, coordinator: DiveraPersonalCoordinator) -> None:
        """Name the select after the member's device."""
        super().__init__(coordinator, "status")

    @property
    def options(self) -> list[str]:
        """The statuses the member may choose."""
        return self.coordinator.catalog.names

    @property
    def current_option(self) -> str | None:
        """The member's status."""
        status = self.coordinator.catalog.get(self.coordinator.data.status_id)
        return status.name if status else None

    async def async_select_option(self, option: str) -> None:
        """Set the member's own status in DIVERA."""
        status_id = _status_id(self.coordinator.catalog, option)
        user_id = self._context.user_id if self._context else None
        await self.coordinator.async_set_own_status(
            status_id, StatusChange(source=SOURCE_DASHBOARD, user_id=user_id)
        )
