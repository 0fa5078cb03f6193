"""Config flow: a menu with one step per remote system, reauth, reconfigure and options."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import probatio as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    DEFAULT_BASE_URL,
    ApiAuthError,
    ApiCertificateError,
    ApiRefusedError,
    BiostarClient,
    DiveraAccessApiError,
    DiveraClient,
    async_fetch_certificate_fingerprint,
)
from .const import (
    CONF_ACCESSKEY,
    CONF_ARRIVAL_GROUPS,
    CONF_BASE_URL,
    CONF_FINGERPRINT,
    CONF_SYSTEM,
    CONF_TAG_SECOND_STATUS,
    CONF_TAG_STATUS,
    CONF_USER_LINKS,
    DOMAIN,
    SYSTEM_BIOSTAR,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)

_LOGGER = logging.getLogger(__package__)

NO_STATUS = "none"
NO_MEMBER = "none"

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


class FlowError(Exception):
    """A validation failure to show on the form (the value is the error key)."""

    def __init__(self, key: str) -> None:
        """Keep the error key."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class Validated:
    """What a successful check of the user's input yields."""

    unique_id: str
    title: str
    data: dict[str, Any]


def normalize_url(value: str, *, default: str | None = None) -> str:
    """A URL without trailing slash; FlowError('invalid_url') when it is none."""
    text = (value or "").strip() or (default or "")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FlowError("invalid_url")
    try:
        _ = parts.port
    except ValueError:
        raise FlowError("invalid_url") from None
    return text.rstrip("/")


def _divera_schema(defaults: Mapping[str, Any], *, with_base_url: bool = True) -> vol.Schema:
    """The key is never filled in: a stored key must not travel to the browser."""
    fields: dict[Any, Any] = {vol.Required(CONF_ACCESSKEY): _PASSWORD}
    if with_base_url:
        fields[
            vol.Optional(CONF_BASE_URL, default=defaults.get(CONF_BASE_URL, DEFAULT_BASE_URL))
        ] = _URL
    return vol.Schema(fields)


def _biostar_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_URL, default=defaults.get(CONF_URL, vol.UNDEFINED)): _URL,
            vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, vol.UNDEFINED)): str,
            vol.Required(CONF_PASSWORD): _PASSWORD,
            vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): bool,
        }
    )


def _flow_error(err: DiveraAccessApiError) -> FlowError:
    if isinstance(err, ApiAuthError | ApiRefusedError):
        return FlowError("invalid_auth")
    if isinstance(err, ApiCertificateError):
        return FlowError("certificate_error")
    # Unreachable, slow, rate-limited or answering garbage: the server is not usable now.
    return FlowError("cannot_connect")


async def validate_divera_system(hass: HomeAssistant, user_input: Mapping[str, Any]) -> Validated:
    """Check a System-Benutzer key; tell the user when it is a member's own key."""
    base_url = normalize_url(user_input.get(CONF_BASE_URL, ""), default=DEFAULT_BASE_URL)
    key = str(user_input[CONF_ACCESSKEY]).strip()
    client = DiveraClient(async_get_clientsession(hass), key, base_url)
    try:
        members = await client.async_get_members()
    except ApiAuthError:
        if await _is_personal_key(client):
            raise FlowError("use_divera_personal") from None
        raise FlowError("invalid_auth") from None
    except DiveraAccessApiError as err:
        raise _flow_error(err) from None
    try:
        unit = await client.async_get_unit()
    except DiveraAccessApiError:
        unit = None
    cluster_id = unit.cluster_id if unit and unit.cluster_id else None
    if cluster_id is None and members:
        cluster_id = members[0].cluster_id
    if not cluster_id:
        raise FlowError("unknown")
    title = (unit.name if unit else None) or f"DIVERA {cluster_id}"
    return Validated(
        unique_id=str(cluster_id),
        title=title,
        data={CONF_SYSTEM: SYSTEM_DIVERA, CONF_ACCESSKEY: key, CONF_BASE_URL: base_url},
    )


async def _is_personal_key(client: DiveraClient) -> bool:
    try:
        await client.async_get_personal_info()
    except DiveraAccessApiError:
        return False
    return True


async def validate_divera_personal(hass: HomeAssistant, user_input: Mapping[str, Any]) -> Validated:
    """Check a member's own key; tell the user when it is a System-Benutzer key."""
    base_url = normalize_url(user_input.get(CONF_BASE_URL, ""), default=DEFAULT_BASE_URL)
    key = str(user_input[CONF_ACCESSKEY]).strip()
    client = DiveraClient(async_get_clientsession(hass), key, base_url)
    try:
        info = await client.async_get_personal_info()
    except ApiAuthError:
        try:
            await client.async_get_members()
        except DiveraAccessApiError:
            raise FlowError("invalid_auth") from None
        raise FlowError("use_divera") from None
    except DiveraAccessApiError as err:
        raise _flow_error(err) from None
    return Validated(
        unique_id=f"{info.cluster_id}_{info.user_cluster_relation_id}",
        title=info.full_name,
        data={CONF_SYSTEM: SYSTEM_DIVERA_PERSONAL, CONF_ACCESSKEY: key, CONF_BASE_URL: base_url},
    )


async def validate_biostar(hass: HomeAssistant, user_input: Mapping[str, Any]) -> Validated:
    """Log in to a BioStar server; pin its certificate when verification is off.

    A fingerprint in the input (reauth passes the entry's data) stays pinned, so
    a new password never goes to another certificate; only the user step and
    reconfigure pin the certificate seen now.
    """
    url = normalize_url(user_input[CONF_URL])
    parts = urlsplit(url)
    verify_ssl = bool(user_input.get(CONF_VERIFY_SSL, True))
    fingerprint: str | None = user_input.get(CONF_FINGERPRINT) or None
    if parts.scheme == "https" and not verify_ssl and fingerprint is None:
        try:
            fingerprint = await async_fetch_certificate_fingerprint(url)
        except DiveraAccessApiError as err:
            raise _flow_error(err) from None
    client = BiostarClient(
        async_get_clientsession(hass, verify_ssl=verify_ssl),
        url,
        user_input[CONF_USERNAME],
        user_input[CONF_PASSWORD],
        verify_ssl=verify_ssl,
        fingerprint=fingerprint,
    )
    try:
        await client.async_login()
        await client.async_get_access_groups()
    except DiveraAccessApiError as err:
        raise _flow_error(err) from None
    finally:
        await client.async_close()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = (parts.hostname or "").lower()
    data: dict[str, Any] = {
        CONF_SYSTEM: SYSTEM_BIOSTAR,
        CONF_URL: url,
        CONF_USERNAME: user_input[CONF_USERNAME],
        CONF_PASSWORD: user_input[CONF_PASSWORD],
        CONF_VERIFY_SSL: verify_ssl,
        CONF_FINGERPRINT: fingerprint,
    }
    return Validated(unique_id=f"{host}:{port}", title=f"BioStar {host}", data=data)


async def _run(
    validator: Any, hass: HomeAssistant, user_input: Mapping[str, Any], errors: dict[str, str]
) -> Validated | None:
    try:
        result: Validated = await validator(hass, user_input)
    except FlowError as err:
        errors["base"] = err.key
        return None
    except Exception:
        _LOGGER.exception("Unexpected error while checking the connection")
        errors["base"] = "unknown"
        return None
    return result


_VALIDATORS = {
    SYSTEM_DIVERA: validate_divera_system,
    SYSTEM_DIVERA_PERSONAL: validate_divera_personal,
    SYSTEM_BIOSTAR: validate_biostar,
}


class DiveraAccessConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a DIVERA unit, a DIVERA member or a BioStar server."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user choose which system to add."""
        return self.async_show_menu(
            step_id="user", menu_options=[SYSTEM_DIVERA, SYSTEM_DIVERA_PERSONAL, SYSTEM_BIOSTAR]
        )

    async def _async_step_add(
        self, system: str, user_input: dict[str, Any] | None, schema: vol.Schema
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            result = await _run(_VALIDATORS[system], self.hass, user_input, errors)
            if result is not None:
                await self.async_set_unique_id(result.unique_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=result.title, data=result.data)
            # Typed keys and passwords are not sent back to the browser.
            suggested = {
                key: value
                for key, value in user_input.items()
                if key not in (CONF_ACCESSKEY, CONF_PASSWORD)
            }
            schema = self.add_suggested_values_to_schema(schema, suggested)
        return self.async_show_form(step_id=system, data_schema=schema, errors=errors)

    async def async_step_divera(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A DIVERA unit through a System-Benutzer key."""
        return await self._async_step_add(SYSTEM_DIVERA, user_input, _divera_schema({}))

    async def async_step_divera_personal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One DIVERA member through their own key."""
        return await self._async_step_add(SYSTEM_DIVERA_PERSONAL, user_input, _divera_schema({}))

    async def async_step_biostar(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Suprema BioStar 2 server."""
        return await self._async_step_add(SYSTEM_BIOSTAR, user_input, _biostar_schema({}))

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication when the remote system refused the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new key or password."""
        entry = self._get_reauth_entry()
        system = entry.data[CONF_SYSTEM]
        errors: dict[str, str] = {}
        if user_input is not None:
            merged = {**entry.data, **user_input}
            result = await _run(_VALIDATORS[system], self.hass, merged, errors)
            if result is not None:
                await self.async_set_unique_id(result.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=result.data)
        if system == SYSTEM_BIOSTAR:
            schema = vol.Schema(
                {
                    vol.Required(CONF_USERNAME, default=entry.data[CONF_USERNAME]): str,
                    vol.Required(CONF_PASSWORD): _PASSWORD,
                }
            )
        else:
            schema = _divera_schema({}, with_base_url=False)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change address or credentials of an existing entry."""
        entry = self._get_reconfigure_entry()
        system = entry.data[CONF_SYSTEM]
        errors: dict[str, str] = {}
        if user_input is not None:
            result = await _run(_VALIDATORS[system], self.hass, user_input, errors)
            if result is not None:
                await self.async_set_unique_id(result.unique_id)
                if system != SYSTEM_BIOSTAR:
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                    return self.async_update_reload_and_abort(entry, data_updates=result.data)
                # A BioStar server is known by its address, which is what may change here.
                if result.unique_id != entry.unique_id:
                    self._abort_if_unique_id_configured()
                return self.async_update_reload_and_abort(
                    entry, unique_id=result.unique_id, title=result.title, data=result.data
                )
        schema = (
            _biostar_schema(entry.data) if system == SYSTEM_BIOSTAR else _divera_schema(entry.data)
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=schema,
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlowWithReload:
        """Options exist for DIVERA units and BioStar servers."""
        if config_entry.data.get(CONF_SYSTEM) == SYSTEM_BIOSTAR:
            return BiostarOptionsFlow()
        return DiveraOptionsFlow()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """A member's own key has nothing to set."""
        return config_entry.data.get(CONF_SYSTEM) in (SYSTEM_DIVERA, SYSTEM_BIOSTAR)


def _status_selector(options: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options,
            mode=SelectSelectorMode.DROPDOWN,
            translation_key="tag_status",
        )
    )


class DiveraOptionsFlow(OptionsFlowWithReload):
    """Tag-scan behaviour and links between Home Assistant users and members."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose what to set up."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        return self.async_show_menu(step_id="init", menu_options=["tag_scan", "link_user"])

    def _status_options(self) -> list[SelectOptionDict]:
        coordinator = self.config_entry.runtime_data
        options = [SelectOptionDict(value=NO_STATUS, label=NO_STATUS)]
        data = getattr(coordinator, "data", None)
        if data is not None:
            options += [
                SelectOptionDict(value=str(status.id), label=status.name)
                for status in data.unit.statuses
            ]
            known = {status.id for status in data.unit.statuses}
            for status_id in sorted({m.status_id for m in data.members.values()} - known):
                options.append(SelectOptionDict(value=str(status_id), label=str(status_id)))
        return options

    async def async_step_tag_scan(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which status a tag scan sets, and which a second scan toggles back to."""
        if user_input is not None:
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        options = self._status_options()
        current = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_TAG_STATUS, default=current.get(CONF_TAG_STATUS, NO_STATUS)
                ): _status_selector(options),
                vol.Required(
                    CONF_TAG_SECOND_STATUS, default=current.get(CONF_TAG_SECOND_STATUS, NO_STATUS)
                ): _status_selector(options),
            }
        )
        return self.async_show_form(step_id="tag_scan", data_schema=schema)

    async def async_step_link_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Link a Home Assistant user to a member, for 'set my status' by voice."""
        links: dict[str, int] = dict(self.config_entry.options.get(CONF_USER_LINKS, {}))
        if user_input is not None:
            user_id = user_input["user"]
            if user_input["member"] == NO_MEMBER:
                links.pop(user_id, None)
            else:
                links[user_id] = int(user_input["member"])
            return self.async_create_entry(
                data={**self.config_entry.options, CONF_USER_LINKS: links}
            )
        users = [
            SelectOptionDict(value=user.id, label=user.name or user.id)
            for user in await self.hass.auth.async_get_users()
            if not user.system_generated and user.is_active
        ]
        coordinator = self.config_entry.runtime_data
        members = sorted(coordinator.data.members.values(), key=lambda m: m.full_name)
        member_options = [SelectOptionDict(value=NO_MEMBER, label=NO_MEMBER)] + [
            SelectOptionDict(value=str(m.user_cluster_relation_id), label=m.full_name)
            for m in members
        ]
        schema = vol.Schema(
            {
                vol.Required("user"): SelectSelector(SelectSelectorConfig(options=users)),
                vol.Required("member"): SelectSelector(
                    SelectSelectorConfig(
                        options=member_options,
                        mode=SelectSelectorMode.DROPDOWN,
                        translation_key="member",
                    )
                ),
            }
        )
        return self.async_show_form(step_id="link_user", data_schema=schema)


class BiostarOptionsFlow(OptionsFlowWithReload):
    """Access groups a member joins when their tag is scanned on arrival."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A server has one set of options: go straight to them."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        return await self.async_step_door_groups()

    async def async_step_door_groups(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the access groups for tag scans."""
        if user_input is not None:
            groups = [int(value) for value in user_input.get(CONF_ARRIVAL_GROUPS, [])]
            return self.async_create_entry(data={CONF_ARRIVAL_GROUPS: groups})
        coordinator = self.config_entry.runtime_data
        options = [
            SelectOptionDict(value=str(group.id), label=group.name)
            for group in sorted(coordinator.data.values(), key=lambda g: g.name)
        ]
        current = [str(g) for g in self.config_entry.options.get(CONF_ARRIVAL_GROUPS, [])]
        schema = vol.Schema(
            {
                vol.Optional(CONF_ARRIVAL_GROUPS, default=current): SelectSelector(
                    SelectSelectorConfig(options=options, multiple=True)
                ),
            }
        )
        return self.async_show_form(step_id="door_groups", data_schema=schema)
