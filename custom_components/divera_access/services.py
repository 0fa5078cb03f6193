"""Actions: set a DIVERA status, edit BioStar access groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service import async_get_config_entry

from .api import MAX_FOREIGN_ID_LENGTH, BiostarAccessGroup, DiveraMember, normalize_card_number
from .const import (
    CONF_SYSTEM,
    DOMAIN,
    SOURCE_ACTION,
    SYSTEM_BIOSTAR,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)
from .coordinator import (
    BiostarCoordinator,
    DiveraCoordinator,
    DiveraPersonalCoordinator,
    StatusChange,
)
from .status import StatusCatalog

SERVICE_SET_STATUS = "set_status"
SERVICE_CREATE_ACCESS_GROUP = "create_access_group"
SERVICE_ADD_ACCESS_GROUP_MEMBERS = "add_access_group_members"
SERVICE_REMOVE_ACCESS_GROUP_MEMBERS = "remove_access_group_members"
SERVICE_DELETE_ACCESS_GROUP = "delete_access_group"

ATTR_FOREIGN_ID = "foreign_id"
ATTR_STATUS = "status"
ATTR_NAME = "name"
ATTR_DESCRIPTION = "description"
ATTR_USERS = "users"
ATTR_CARDS = "cards"
ATTR_USER_GROUPS = "user_groups"
ATTR_ACCESS_LEVELS = "access_levels"
ATTR_ACCESS_GROUP = "access_group"

_ID_LIST = vol.All(cv.ensure_list, [vol.Any(int, cv.string)])

SET_STATUS_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_FOREIGN_ID): vol.Any(cv.string, int),
        vol.Optional(ATTR_ENTITY_ID): cv.entity_id,
        vol.Required(ATTR_STATUS): vol.Any(int, cv.string),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)
CREATE_ACCESS_GROUP_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_NAME): cv.string,
        vol.Optional(ATTR_DESCRIPTION, default=""): cv.string,
        vol.Optional(ATTR_USERS): _ID_LIST,
        vol.Optional(ATTR_USER_GROUPS): _ID_LIST,
        vol.Optional(ATTR_ACCESS_LEVELS): _ID_LIST,
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)
MEMBERS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_ACCESS_GROUP): vol.Any(int, cv.string),
        vol.Optional(ATTR_USERS): _ID_LIST,
        vol.Optional(ATTR_CARDS): vol.All(cv.ensure_list, [vol.Any(int, cv.string)]),
        vol.Optional(ATTR_USER_GROUPS): _ID_LIST,
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)
DELETE_ACCESS_GROUP_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_ACCESS_GROUP): vol.Any(int, cv.string),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)


def _invalid(key: str, **placeholders: Any) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={k: str(v) for k, v in placeholders.items()} or None,
    )


def _loaded_entries(hass: HomeAssistant, system: str) -> list[ConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED and entry.data.get(CONF_SYSTEM) == system
    ]


def _entry_by_id(hass: HomeAssistant, entry_id: str, systems: Iterable[str]) -> ConfigEntry:
    entry = async_get_config_entry(hass, DOMAIN, entry_id)
    if entry.data.get(CONF_SYSTEM) not in tuple(systems):
        raise _invalid("wrong_config_entry", entry=entry.title)
    return entry


# --- DIVERA -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """Whose status to set: a member of a unit, or the owner of a personal key."""

    entry: ConfigEntry
    member: DiveraMember | None


def _clean_foreign_id(value: Any) -> str | None:
    if value is None:
        return None
    foreign_id = str(value).strip()
    if not foreign_id:
        return None
    if len(foreign_id) > MAX_FOREIGN_ID_LENGTH:
        raise _invalid("foreign_id_too_long", max=MAX_FOREIGN_ID_LENGTH)
    return foreign_id


def _target_from_entity(hass: HomeAssistant, entity_id: str, entry_id: str | None) -> _Target:
    registry_entry = er.async_get(hass).async_get(entity_id)
    if (
        registry_entry is None
        or registry_entry.platform != DOMAIN
        or registry_entry.config_entry_id is None
    ):
        raise _invalid("not_a_member_entity", entity_id=entity_id)
    entry = _entry_by_id(
        hass, registry_entry.config_entry_id, (SYSTEM_DIVERA, SYSTEM_DIVERA_PERSONAL)
    )
    if entry_id is not None and entry_id != entry.entry_id:
        raise _invalid("not_a_member_entity", entity_id=entity_id)
    coordinator = entry.runtime_data
    if isinstance(coordinator, DiveraPersonalCoordinator):
        return _Target(entry, None)
    assert isinstance(coordinator, DiveraCoordinator)
    prefix = f"{coordinator.cluster_id}_"
    ucr_text = registry_entry.unique_id.removeprefix(prefix)
    member = coordinator.data.members.get(int(ucr_text)) if ucr_text.isdigit() else None
    if member is None:
        raise _invalid("not_a_member_entity", entity_id=entity_id)
    return _Target(entry, member)


def _target_from_foreign_id(hass: HomeAssistant, foreign_id: str, entry_id: str | None) -> _Target:
    if entry_id is not None:
        entry = _entry_by_id(hass, entry_id, (SYSTEM_DIVERA, SYSTEM_DIVERA_PERSONAL))
        if entry.data[CONF_SYSTEM] != SYSTEM_DIVERA:
            raise _invalid("foreign_id_needs_system_key")
        entries = [entry]
    else:
        entries = _loaded_entries(hass, SYSTEM_DIVERA)
        if not entries:
            raise _invalid("no_divera_unit")
    matches: list[_Target] = []
    for entry in entries:
        coordinator: DiveraCoordinator = entry.runtime_data
        member = coordinator.member_by_foreign_id(foreign_id)
        if member is not None:
            matches.append(_Target(entry, member))
    if not matches:
        raise _invalid("unknown_foreign_id")
    if len(matches) > 1:
        raise _invalid("several_units")
    return matches[0]


def _own_target(hass: HomeAssistant, entry_id: str | None) -> _Target:
    if entry_id is not None:
        entry = _entry_by_id(hass, entry_id, (SYSTEM_DIVERA, SYSTEM_DIVERA_PERSONAL))
        if entry.data[CONF_SYSTEM] != SYSTEM_DIVERA_PERSONAL:
            raise _invalid("missing_member")
        return _Target(entry, None)
    personal = _loaded_entries(hass, SYSTEM_DIVERA_PERSONAL)
    if len(personal) == 1 and not _loaded_entries(hass, SYSTEM_DIVERA):
        return _Target(personal[0], None)
    raise _invalid("missing_member")


def resolve_status(catalog: StatusCatalog, value: Any) -> int:
    """The status id for an id or a name; a translated error when the unit has none such."""
    status_id = catalog.resolve(value)
    if status_id is None:
        raise _invalid("unknown_status", status=value, statuses=", ".join(catalog.names) or "-")
    return status_id


async def async_set_status(
    hass: HomeAssistant,
    *,
    status: Any,
    change: StatusChange,
    foreign_id: Any = None,
    entity_id: str | None = None,
    entry_id: str | None = None,
) -> None:
    """Validate everything, then set the status of a member or of the key owner."""
    cleaned = _clean_foreign_id(foreign_id)
    if entity_id is not None:
        target = _target_from_entity(hass, entity_id, entry_id)
    elif cleaned is not None:
        target = _target_from_foreign_id(hass, cleaned, entry_id)
    else:
        target = _own_target(hass, entry_id)
    coordinator = target.entry.runtime_data
    if target.member is None:
        assert isinstance(coordinator, DiveraPersonalCoordinator)
        status_id = resolve_status(coordinator.catalog, status)
        await coordinator.async_set_own_status(status_id, change)
        return
    assert isinstance(coordinator, DiveraCoordinator)
    if target.member.foreign_id is None:
        raise _invalid("member_without_foreign_id", member=target.member.full_name)
    status_id = resolve_status(coordinator.data.catalog, status)
    await coordinator.async_set_member_status(target.member, status_id, change)


async def _async_handle_set_status(call: ServiceCall) -> None:
    await async_set_status(
        call.hass,
        status=call.data[ATTR_STATUS],
        change=StatusChange(source=SOURCE_ACTION, user_id=call.context.user_id),
        foreign_id=call.data.get(ATTR_FOREIGN_ID),
        entity_id=call.data.get(ATTR_ENTITY_ID),
        entry_id=call.data.get(ATTR_CONFIG_ENTRY_ID),
    )


# --- BioStar ----------------------------------------------------------------------------------


def _biostar(hass: HomeAssistant, entry_id: str | None) -> BiostarCoordinator:
    if entry_id is not None:
        entry = _entry_by_id(hass, entry_id, (SYSTEM_BIOSTAR,))
    else:
        entries = _loaded_entries(hass, SYSTEM_BIOSTAR)
        if not entries:
            raise _invalid("no_biostar_server")
        if len(entries) > 1:
            raise _invalid("several_biostar_servers")
        entry = entries[0]
    coordinator: BiostarCoordinator = entry.runtime_data
    return coordinator


def _ids(values: Iterable[Any] | None, error: str) -> list[int]:
    """Whole-number ids in the order given, without repeats."""
    result: list[int] = []
    for value in values or ():
        text = str(value).strip()
        if not text.isdigit():
            raise _invalid(error, value=value)
        if int(text) not in result:
            result.append(int(text))
    return result


def find_access_group(coordinator: BiostarCoordinator, value: Any) -> BiostarAccessGroup:
    """An access group by id or exact name."""
    groups = coordinator.data
    text = str(value).strip()
    if text.isdigit() and int(text) in groups:
        return groups[int(text)]
    for group in groups.values():
        if group.name == text:
            return group
    raise _invalid("unknown_access_group", access_group=value)


async def _validated_users(coordinator: BiostarCoordinator, values: Any) -> list[int]:
    users = _ids(values, "invalid_user_id")
    if users:
        known = {
            user.user_id
            for user in await coordinator.async_call(coordinator.client.async_get_users)
        }
        unknown = [user for user in users if user not in known]
        if unknown:
            raise _invalid("unknown_user", users=", ".join(map(str, unknown)))
    return users


async def resolve_cards(coordinator: BiostarCoordinator, values: Iterable[Any]) -> list[int]:
    """The users that hold these card numbers; a translated error for any unknown card."""
    numbers = [str(value).strip() for value in values if str(value).strip()]
    if not numbers:
        return []
    cards = await coordinator.async_call(coordinator.client.async_get_cards)
    by_number: dict[str, int | None] = {}
    for card in cards:
        for number in (card.card_id, card.display_card_id):
            if number:
                by_number.setdefault(normalize_card_number(number), card.user_id)
    users: list[int] = []
    for number in numbers:
        user_id = by_number.get(normalize_card_number(number))
        if user_id is None:
            raise _invalid("unknown_card", card=number)
        if user_id not in users:
            users.append(user_id)
    return users


@dataclass(frozen=True, slots=True)
class MemberChange:
    """Validated users and user groups of one add or remove action."""

    group: BiostarAccessGroup
    users: list[int]
    user_groups: list[int]


async def _member_change(coordinator: BiostarCoordinator, data: dict[str, Any]) -> MemberChange:
    group = find_access_group(coordinator, data[ATTR_ACCESS_GROUP])
    if not any(data.get(key) for key in (ATTR_USERS, ATTR_CARDS, ATTR_USER_GROUPS)):
        raise _invalid("no_members_given")
    user_groups = _ids(data.get(ATTR_USER_GROUPS), "invalid_user_group_id")
    users = await _validated_users(coordinator, data.get(ATTR_USERS))
    for user in await resolve_cards(coordinator, data.get(ATTR_CARDS) or ()):
        if user not in users:
            users.append(user)
    return MemberChange(group, users, user_groups)


async def async_edit_members(
    coordinator: BiostarCoordinator,
    group_id: int,
    *,
    add_users: Iterable[int] = (),
    remove_users: Iterable[int] = (),
    add_user_groups: Iterable[int] = (),
    remove_user_groups: Iterable[int] = (),
) -> BiostarAccessGroup:
    """Read, merge and write one access group, serialised per group.

    Users go through new_users/delete_users; user groups are a replacing list,
    so the current list is read under the lock and only the asked-for ids change.
    """
    client = coordinator.client
    async with coordinator.group_lock(group_id):
        current = await coordinator.async_call(lambda: client.async_get_access_group(group_id))
        new_users = [u for u in add_users if u not in current.user_ids]
        delete_users = [u for u in remove_users if u in current.user_ids]
        groups = list(current.user_group_ids)
        groups += [g for g in add_user_groups if g not in groups]
        groups = [g for g in groups if g not in set(remove_user_groups)]
        replace_groups = groups if groups != list(current.user_group_ids) else None
        if new_users or delete_users or replace_groups is not None:
            await coordinator.async_call(
                lambda: client.async_update_access_group(
                    group_id,
                    new_users=new_users,
                    delete_users=delete_users,
                    user_groups=replace_groups,
                )
            )
            current = await coordinator.async_call(lambda: client.async_get_access_group(group_id))
        coordinator.publish_group(current, group_id)
        return current


async def _async_handle_add_members(call: ServiceCall) -> None:
    coordinator = _biostar(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    change = await _member_change(coordinator, call.data)
    await async_edit_members(
        coordinator, change.group.id, add_users=change.users, add_user_groups=change.user_groups
    )


async def _async_handle_remove_members(call: ServiceCall) -> None:
    coordinator = _biostar(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    change = await _member_change(coordinator, call.data)
    await async_edit_members(
        coordinator,
        change.group.id,
        remove_users=change.users,
        remove_user_groups=change.user_groups,
    )


async def _async_handle_create_group(call: ServiceCall) -> None:
    coordinator = _biostar(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    name = call.data[ATTR_NAME].strip()
    if not name:
        raise _invalid("invalid_access_group_name")
    user_groups = _ids(call.data.get(ATTR_USER_GROUPS), "invalid_user_group_id")
    access_levels = _ids(call.data.get(ATTR_ACCESS_LEVELS), "invalid_access_level_id")
    users = await _validated_users(coordinator, call.data.get(ATTR_USERS))
    client = coordinator.client
    async with coordinator.create_lock:
        if any(group.name == name for group in coordinator.data.values()):
            raise _invalid("access_group_exists", name=name)
        group_id = await coordinator.async_call(
            lambda: client.async_create_access_group(
                name,
                description=call.data[ATTR_DESCRIPTION],
                users=users,
                user_groups=user_groups,
                access_levels=access_levels,
            )
        )
        group = await coordinator.async_call(lambda: client.async_get_access_group(group_id))
        coordinator.publish_group(group, group_id)


async def _async_handle_delete_group(call: ServiceCall) -> None:
    coordinator = _biostar(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    group = find_access_group(coordinator, call.data[ATTR_ACCESS_GROUP])
    async with coordinator.create_lock, coordinator.group_lock(group.id):
        await coordinator.async_call(lambda: coordinator.client.async_delete_access_group(group.id))
        coordinator.publish_group(None, group.id)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions once, for all entries."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_STATUS, _async_handle_set_status, schema=SET_STATUS_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CREATE_ACCESS_GROUP,
        _async_handle_create_group,
        schema=CREATE_ACCESS_GROUP_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_ADD_ACCESS_GROUP_MEMBERS, _async_handle_add_members, schema=MEMBERS_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_ACCESS_GROUP_MEMBERS,
        _async_handle_remove_members,
        schema=MEMBERS_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_DELETE_ACCESS_GROUP,
        _async_handle_delete_group,
        schema=DELETE_ACCESS_GROUP_SCHEMA,
    )
