"""Base entities: device info, unique ids and change-only state writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import DiveraMember
from .const import DOMAIN
from .coordinator import BiostarCoordinator, DiveraCoordinator, DiveraPersonalCoordinator


def unit_device_info(coordinator: DiveraCoordinator) -> DeviceInfo:
    """The device that stands for a DIVERA unit."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"divera_{coordinator.cluster_id}")},
        name=coordinator.config_entry.title,
        manufacturer="DIVERA 24/7",
        model="Unit",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=coordinator.client.base_url,
    )


class ChangeOnlyEntity[
    CoordinatorT: (
        DiveraCoordinator,
        DiveraPersonalCoordinator,
        BiostarCoordinator,
    )
](CoordinatorEntity[CoordinatorT]):
    """An entity that writes its state only when its own data changed."""

    _attr_has_entity_name = True
    _last_written: Any = None

    def _own_data(self) -> Any:
        """The part of the coordinator's data this entity shows."""
        raise NotImplementedError

    @callback
    def _handle_coordinator_update(self) -> None:
        own = (self.available, self._own_data())
        if own == self._last_written:
            return
        self._last_written = own
        self.async_write_ha_state()

    async def async_added_to_hass(self) -> None:
        """Remember what was written first, so the first poll writes nothing new."""
        await super().async_added_to_hass()
        self._last_written = (self.available, self._own_data())


class DiveraMemberEntity(ChangeOnlyEntity[DiveraCoordinator]):
    """An entity of one member of a unit, on the unit's device."""

    def __init__(self, coordinator: DiveraCoordinator, member: DiveraMember) -> None:
        """Bind the entity to a member by their user-cluster relation."""
        super().__init__(coordinator)
        self.ucr_id = member.user_cluster_relation_id
        self._attr_unique_id = f"{coordinator.cluster_id}_{self.ucr_id}"
        self._attr_name = member.full_name
        self._attr_device_info = unit_device_info(coordinator)

    @property
    def member(self) -> DiveraMember:
        """The member as of the last poll."""
        return self.coordinator.data.members[self.ucr_id]

    @property
    def available(self) -> bool:
        """Unavailable while DIVERA is unreachable or after the member left."""
        return super().available and self.ucr_id in self.coordinator.data.members

    def _own_data(self) -> Any:
        member = self.coordinator.data.members.get(self.ucr_id)
        status = self.coordinator.data.catalog.get(member.status_id) if member else None
        return member, status, self.coordinator.data.catalog.names

    @callback
    def _handle_coordinator_update(self) -> None:
        member = self.coordinator.data.members.get(self.ucr_id)
        if member is None:
            return  # Left the unit: async_track_keyed_entities is removing this entity.
        if member.full_name != self._attr_name:
            self._attr_name = member.full_name
        super()._handle_coordinator_update()


def personal_device_info(coordinator: DiveraPersonalCoordinator) -> DeviceInfo:
    """The device that stands for the member whose own key is used."""
    info = coordinator.data
    return DeviceInfo(
        identifiers={(DOMAIN, f"divera_{info.cluster_id}_{info.user_cluster_relation_id}")},
        name=info.full_name,
        manufacturer="DIVERA 24/7",
        model=info.unit_name or "Member",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=coordinator.client.base_url,
    )


class DiveraPersonalEntity(ChangeOnlyEntity[DiveraPersonalCoordinator]):
    """An entity of the member whose own key is used."""

    def __init__(self, coordinator: DiveraPersonalCoordinator, key: str) -> None:
        """Bind the entity to the member's user-cluster relation."""
        super().__init__(coordinator)
        info = coordinator.data
        self._attr_unique_id = f"{info.cluster_id}_{info.user_cluster_relation_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = personal_device_info(coordinator)

    def _own_data(self) -> Any:
        info = self.coordinator.data
        return info.status_id, info.statuses


def biostar_device_info(coordinator: BiostarCoordinator) -> DeviceInfo:
    """The device that stands for a BioStar server."""
    entry = coordinator.config_entry
    return DeviceInfo(
        identifiers={(DOMAIN, f"biostar_{entry.entry_id}")},
        name=entry.title,
        manufacturer="Suprema",
        model="BioStar 2",
        configuration_url=coordinator.client.url,
    )


def async_track_keyed_entities[KeyT](
    coordinator: DiveraCoordinator | BiostarCoordinator,
    keys: Callable[[], Iterable[KeyT]],
    factory: Callable[[KeyT], list[Entity]],
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform_domain: str,
    *,
    keep_unlisted: Callable[[str], bool] = lambda _unique_id: False,
) -> None:
    """Add entities for keys that appear and drop those whose key disappeared.

    Members join and leave a unit, access groups come and go: both show up
    without a reload, and what left is removed from the entity registry.
    """
    known: dict[KeyT, list[Entity]] = {}

    @callback
    def _sync() -> None:
        if not coordinator.last_update_success:
            return
        current = set(keys())
        new = [key for key in current if key not in known]
        added: list[Entity] = []
        for key in new:
            known[key] = factory(key)
            added.extend(known[key])
        if added:
            async_add_entities(added)
        registry = er.async_get(coordinator.hass)
        for key in [key for key in known if key not in current]:
            for entity in known.pop(key):
                if entity.entity_id and registry.async_get(entity.entity_id):
                    registry.async_remove(entity.entity_id)
                elif entity.hass is not None:
                    coordinator.hass.async_create_task(entity.async_remove())

    _sync()
    _remove_orphans(coordinator, platform_domain, known, keep_unlisted)
    coordinator.config_entry.async_on_unload(coordinator.async_add_listener(_sync))


def _remove_orphans[KeyT](
    coordinator: DiveraCoordinator | BiostarCoordinator,
    platform_domain: str,
    known: dict[KeyT, list[Entity]],
    keep_unlisted: Callable[[str], bool],
) -> None:
    """Drop registry entries of what left while Home Assistant was not running.

    Entries that keep_unlisted vouches for stay: their data is only missing for now.
    """
    if not coordinator.last_update_success:
        return
    wanted = {entity.unique_id for entities in known.values() for entity in entities}
    registry = er.async_get(coordinator.hass)
    for entry in er.async_entries_for_config_entry(registry, coordinator.config_entry.entry_id):
        if (
            entry.domain == platform_domain
            and entry.unique_id not in wanted
            and not keep_unlisted(entry.unique_id)
        ):
            registry.async_remove(entry.entity_id)
