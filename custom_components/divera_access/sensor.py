"""Sensors: members and status counts of a DIVERA unit, a member's own status, access groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import BiostarAccessGroup, DiveraStatus
from .const import CONF_SYSTEM, SYSTEM_BIOSTAR, SYSTEM_DIVERA
from .coordinator import (
    BiostarCoordinator,
    DiveraAccessConfigEntry,
    DiveraCoordinator,
    DiveraPersonalCoordinator,
)
from .entity import (
    ChangeOnlyEntity,
    DiveraMemberEntity,
    DiveraPersonalEntity,
    async_track_keyed_entities,
    biostar_device_info,
    unit_device_info,
)
from .status import StatusCatalog

PARALLEL_UPDATES = 0

_MEMBER = "member"
_STATUS = "status"


_ICON_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("nicht", "not", "unavailable"), "mdi:account-cancel"),
    (("minute", "min "), "mdi:account-clock"),
    (("urlaub", "vacation", "holiday"), "mdi:beach"),
    (("dienst", "duty"), "mdi:account-hard-hat"),
    (("bereit", "available", "ready"), "mdi:account-check"),
)


def status_icon(status: DiveraStatus | None) -> str:
    """An icon that fits the usual DIVERA status names."""
    if status is None:
        return "mdi:account-question"
    name = f"{status.name.casefold()} "
    for words, icon in _ICON_WORDS:
        if any(word in name for word in words):
            return icon
    return "mdi:account"


def status_state(catalog: StatusCatalog, status_id: int) -> str:
    """The status name, or the id where names are unavailable."""
    return catalog.label(status_id)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiveraAccessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors of whichever system the entry is for."""
    coordinator = entry.runtime_data
    system = entry.data[CONF_SYSTEM]
    if system == SYSTEM_DIVERA:
        assert isinstance(coordinator, DiveraCoordinator)
        _setup_unit(coordinator, async_add_entities)
    elif system == SYSTEM_BIOSTAR:
        assert isinstance(coordinator, BiostarCoordinator)
        _setup_biostar(coordinator, async_add_entities)
    else:
        assert isinstance(coordinator, DiveraPersonalCoordinator)
        async_add_entities([DiveraPersonalStatusSensor(coordinator)])


def _setup_unit(
    coordinator: DiveraCoordinator, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    def keys() -> list[tuple[str, int]]:
        data = coordinator.data
        return [(_MEMBER, ucr) for ucr in data.members] + [
            (_STATUS, status.id) for status in data.unit.statuses
        ]

    def factory(key: tuple[str, int]) -> list[Entity]:
        kind, ident = key
        if kind == _MEMBER:
            return [DiveraMemberSensor(coordinator, coordinator.data.members[ident])]
        return [DiveraStatusCountSensor(coordinator, ident)]

    def names_missing_for_now(unique_id: str) -> bool:
        """Status counts stay in the registry while the status names could not be read."""
        return not coordinator.data.unit.statuses and unique_id.startswith(
            f"{coordinator.cluster_id}_status_"
        )

    async_track_keyed_entities(
        coordinator,
        keys,
        factory,
        async_add_entities,
        "sensor",
        keep_unlisted=names_missing_for_now,
    )


def _setup_biostar(
    coordinator: BiostarCoordinator, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    def factory(group_id: int) -> list[Entity]:
        return [BiostarAccessGroupSensor(coordinator, group_id)]

    async_track_keyed_entities(
        coordinator, lambda: coordinator.data, factory, async_add_entities, "sensor"
    )


class DiveraMemberSensor(DiveraMemberEntity, SensorEntity):
    """A member's current status."""

    _attr_translation_key = "member_status"

    @property
    def _catalog(self) -> StatusCatalog:
        return self.coordinator.data.catalog

    @property
    def device_class(self) -> SensorDeviceClass | None:
        """Enum where the status names are known; a plain id otherwise."""
        return SensorDeviceClass.ENUM if self._catalog else None

    @property
    def options(self) -> list[str] | None:
        """The unit's status names, and the id of a status DIVERA has not named to us yet."""
        if not self._catalog:
            return None
        names = self._catalog.names
        value = self.native_value
        return names if value in names else [*names, value]

    @property
    def native_value(self) -> str:
        """The status name, or its id when DIVERA does not tell the names."""
        return status_state(self._catalog, self.member.status_id)

    @property
    def icon(self) -> str:
        """An icon per status."""
        return status_icon(self._catalog.get(self.member.status_id))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Status id, foreign key and the status colour."""
        member = self.member
        status = self._catalog.get(member.status_id)
        return {
            "status_id": member.status_id,
            "foreign_id": member.foreign_id,
            "user_cluster_relation_id": member.user_cluster_relation_id,
            "color": status.color_hex if status else None,
        }


class DiveraStatusCountSensor(ChangeOnlyEntity[DiveraCoordinator], SensorEntity):
    """How many members are in one status, with their names."""

    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_translation_key = "status_count"

    def __init__(self, coordinator: DiveraCoordinator, status_id: int) -> None:
        """Bind the sensor to a status of the unit."""
        super().__init__(coordinator)
        self.status_id = status_id
        self._attr_unique_id = f"{coordinator.cluster_id}_status_{status_id}"
        self._attr_device_info = unit_device_info(coordinator)
        self._attr_name = self._status.name if self._status else str(status_id)

    @property
    def _status(self) -> DiveraStatus | None:
        return self.coordinator.data.catalog.get(self.status_id)

    @property
    def available(self) -> bool:
        """Unavailable while DIVERA is unreachable or after the status was removed."""
        return super().available and self._status is not None

    def _member_names(self) -> list[str]:
        return sorted(
            member.full_name
            for member in self.coordinator.data.members.values()
            if member.status_id == self.status_id
        )

    def _own_data(self) -> Any:
        return self._status, self._member_names()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Follow a status renamed in DIVERA."""
        if (status := self._status) is not None:
            self._attr_name = status.name
        super()._handle_coordinator_update()

    @property
    def native_value(self) -> int:
        """Members in this status."""
        return len(self._member_names())

    @property
    def icon(self) -> str:
        """The icon of the status."""
        return status_icon(self._status)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Who is in the status, and its colour."""
        status = self._status
        return {
            "status_id": self.status_id,
            "members": self._member_names(),
            "color": status.color_hex if status else None,
        }


class DiveraPersonalStatusSensor(DiveraPersonalEntity, SensorEntity):
    """The key owner's own status."""

    def __init__(self, coordinator: DiveraPersonalCoordinator) -> None:
        """Name the sensor after the member's device."""
        super().__init__(coordinator, "status")

    @property
    def device_class(self) -> SensorDeviceClass | None:
        """Enum where the status names are known."""
        return SensorDeviceClass.ENUM if self.coordinator.catalog else None

    @property
    def options(self) -> list[str] | None:
        """The unit's status names, and the id of a status DIVERA has not named to us."""
        names = self.coordinator.catalog.names
        if not names:
            return None
        value = self.native_value
        return names if value in names else [*names, value]

    @property
    def native_value(self) -> str:
        """The member's status name."""
        return status_state(self.coordinator.catalog, self.coordinator.data.status_id)

    @property
    def icon(self) -> str:
        """An icon per status."""
        return status_icon(self.coordinator.catalog.get(self.coordinator.data.status_id))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The status id and the status colour."""
        status = self.coordinator.catalog.get(self.coordinator.data.status_id)
        return {
            "status_id": self.coordinator.data.status_id,
            "color": status.color_hex if status else None,
        }


@dataclass(frozen=True, kw_only=True)
class AccessGroupSensorDescription(SensorEntityDescription):
    """How an access group becomes a sensor."""

    value_fn: Callable[[BiostarAccessGroup], int]
    attributes_fn: Callable[[BiostarAccessGroup], dict[str, Any]]


ACCESS_GROUP_SENSOR = AccessGroupSensorDescription(
    key="access_group",
    translation_key="access_group",
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=lambda group: len(group.user_ids),
    attributes_fn=lambda group: {
        "access_group_id": group.id,
        "user_ids": list(group.user_ids),
        "user_group_ids": list(group.user_group_ids),
        "access_level_ids": list(group.access_level_ids),
        "description": group.description,
    },
)


class BiostarAccessGroupSensor(ChangeOnlyEntity[BiostarCoordinator], SensorEntity):
    """An access group: how many users are assigned directly, and who."""

    entity_description: AccessGroupSensorDescription

    def __init__(self, coordinator: BiostarCoordinator, group_id: int) -> None:
        """Bind the sensor to an access group by its id."""
        super().__init__(coordinator)
        self.entity_description = ACCESS_GROUP_SENSOR
        self.group_id = group_id
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_access_group_{group_id}"
        self._attr_device_info = biostar_device_info(coordinator)
        self._attr_name = coordinator.data[group_id].name

    @property
    def available(self) -> bool:
        """Unavailable while BioStar is unreachable or after the group was deleted."""
        return super().available and self.group_id in self.coordinator.data

    def _own_data(self) -> Any:
        return self.coordinator.data.get(self.group_id)

    @callback
    def _handle_coordinator_update(self) -> None:
        group = self.coordinator.data.get(self.group_id)
        if group is not None and group.name != self._attr_name:
            self._attr_name = group.name
        super()._handle_coordinator_update()

    @property
    def native_value(self) -> int:
        """Users assigned directly to the group."""
        return self.entity_description.value_fn(self.coordinator.data[self.group_id])

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Ids of users, user groups and access levels of the group."""
        return self.entity_description.attributes_fn(self.coordinator.data[self.group_id])
