"""Config flow for DIVERA: the menu, unit and member keys, reauth, reconfigure and options."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.divera_access.const import (
    CONF_ACCESSKEY,
    CONF_BASE_URL,
    CONF_SYSTEM,
    CONF_TAG_SECOND_STATUS,
    CONF_TAG_STATUS,
    CONF_USER_LINKS,
    DOMAIN,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)
from tests.conftest import SECOND_SYSTEM_KEY, setup_entry, wait_for_request
from tests.simulators.divera import SYSTEM_KEY, DiveraSimulator

PERSONAL_KEY = "PERSONAL-KEY-MAX-0001"

pytestmark = pytest.mark.usefixtures("secrets_never_logged")


async def start(hass: HomeAssistant, option: str) -> dict[str, Any]:
    """Open the menu, check it, and choose an option; return the form shown."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == ["divera", "divera_personal", "biostar"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": option}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == option
    assert result["errors"] == {}
    return result


def schema_keys(result: dict[str, Any]) -> list[str]:
    return [str(key) for key in result["data_schema"].schema]


# --- divera (System-Benutzer key) -------------------------------------------------------------


async def test_unit_is_added_with_its_name_and_cluster_id(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    result = await start(hass, "divera")
    assert schema_keys(result) == ["accesskey", "base_url"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: f"  {SYSTEM_KEY} ", CONF_BASE_URL: f"{divera_url}/"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Feuerwehr Musterstadt"
    assert result["result"].unique_id == "4711"
    assert result["data"] == {
        CONF_SYSTEM: SYSTEM_DIVERA,
        CONF_ACCESSKEY: SYSTEM_KEY,
        CONF_BASE_URL: divera_url,
    }
    assert result["result"].state is ConfigEntryState.LOADED
    assert len(divera_sim.requests_to("/api/users")) >= 1


async def test_unit_title_falls_back_when_pull_is_refused(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    divera_sim.system_key_may_pull = False
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "DIVERA 4711"
    assert result["result"].unique_id == "4711"


async def test_unit_already_configured(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_url: str
) -> None:
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_unit_error_then_success_in_the_same_form(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: "WRONG-KEY", CONF_BASE_URL: divera_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "divera"
    assert result["errors"] == {"base": "invalid_auth"}
    # The unknown key was also tried as a member's key before saying so.
    assert len(divera_sim.requests_to("/api/v2/pull/all")) == 1

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_unit_with_a_members_own_key_points_to_the_other_option(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: PERSONAL_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "use_divera_personal"}
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("500", "cannot_connect"),
        ("malformed", "cannot_connect"),
        ("429", "cannot_connect"),
        ("success_false", "invalid_auth"),
    ],
)
async def test_unit_server_faults(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str, fault: str, error: str
) -> None:
    divera_sim.set_fault(fault, "/api/users")
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_unit_timeout(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    divera_sim.set_fault("timeout", "/api/users")
    result = await start(hass, "divera")
    configure = hass.async_create_task(
        hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
        )
    )
    await wait_for_request(divera_sim, "/api/users")
    assert not configure.done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=16))
    async with asyncio.timeout(5):
        result = await configure
    assert result["errors"] == {"base": "cannot_connect"}


async def test_unit_connection_refused(hass: HomeAssistant, closed_port_url: str) -> None:
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: closed_port_url}
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_unit_without_members_or_unit_is_unknown(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    """Nothing tells the cluster id: no member and pull/all refused."""
    divera_sim.system_key_may_pull = False
    divera_sim.set_fault("empty_list", "/api/users")
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["errors"] == {"base": "unknown"}


async def test_unit_unexpected_error_is_unknown(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in a validator shows 'unknown' and is logged, not a broken form."""

    async def broken(*_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("custom_components.divera_access.api.DiveraClient.async_get_unit", broken)
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the connection" in caplog.text


@pytest.mark.parametrize("url", ["divera247.com", "ftp://example.org", "http://", "http://h:99999"])
async def test_unit_invalid_url(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str, url: str
) -> None:
    result = await start(hass, "divera")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: url}
    )
    assert result["errors"] == {"base": "invalid_url"}
    assert divera_sim.requests == []


# --- divera_personal (a member's own key) -----------------------------------------------------


async def test_member_is_added_per_user_cluster_relation(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    result = await start(hass, "divera_personal")
    assert schema_keys(result) == ["accesskey", "base_url"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: PERSONAL_KEY, CONF_BASE_URL: divera_url}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Max Mustermann"
    assert result["result"].unique_id == "4711_1001"
    assert result["data"] == {
        CONF_SYSTEM: SYSTEM_DIVERA_PERSONAL,
        CONF_ACCESSKEY: PERSONAL_KEY,
        CONF_BASE_URL: divera_url,
    }
    assert divera_sim.requests_to("/api/users") == []

    # The same member again is refused; another member of the unit is not.
    result = await start(hass, "divera_personal")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: PERSONAL_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    result = await start(hass, "divera_personal")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_ACCESSKEY: divera_sim.personal_key(102), CONF_BASE_URL: divera_url},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "4711_1002"
    assert result["title"] == "Erika Musterfrau"


async def test_member_with_a_system_key_points_to_the_other_option(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    result = await start(hass, "divera_personal")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "divera_personal"
    assert result["errors"] == {"base": "use_divera"}


async def test_member_with_a_system_key_that_may_not_pull(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_url: str
) -> None:
    """DIVERA often refuses pull/all to system keys with 403: still a system key."""
    divera_sim.system_key_may_pull = False
    result = await start(hass, "divera_personal")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: divera_url}
    )
    assert result["errors"] == {"base": "use_divera"}


@pytest.mark.parametrize(
    ("key", "fault", "error"),
    [
        ("WRONG-KEY", None, "invalid_auth"),
        (PERSONAL_KEY, "500", "cannot_connect"),
        (PERSONAL_KEY, "malformed", "cannot_connect"),
    ],
)
async def test_member_errors(
    hass: HomeAssistant,
    *,
    divera_sim: DiveraSimulator,
    divera_url: str,
    key: str,
    fault: str | None,
    error: str,
) -> None:
    if fault:
        divera_sim.set_fault(fault)
    result = await start(hass, "divera_personal")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: key, CONF_BASE_URL: divera_url}
    )
    assert result["errors"] == {"base": error}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_member_invalid_url_and_refused_connection(
    hass: HomeAssistant, closed_port_url: str
) -> None:
    result = await start(hass, "divera_personal")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: PERSONAL_KEY, CONF_BASE_URL: "www.divera247.com"}
    )
    assert result["errors"] == {"base": "invalid_url"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: PERSONAL_KEY, CONF_BASE_URL: closed_port_url}
    )
    assert result["errors"] == {"base": "cannot_connect"}


# --- reauth -----------------------------------------------------------------------------------


async def test_unit_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    result = await divera_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert schema_keys(result) == ["accesskey"]
    assert result["description_placeholders"] == {"name": "Feuerwehr Musterstadt"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: "WRONG-KEY"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    divera_sim.system_keys = {"SYSTEM-KEY-SECRET-NEW"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: "SYSTEM-KEY-SECRET-NEW"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert divera_entry.data[CONF_ACCESSKEY] == "SYSTEM-KEY-SECRET-NEW"
    assert divera_entry.state is ConfigEntryState.LOADED


async def test_unit_reauth_with_a_key_of_another_unit(hass: HomeAssistant, divera_url: str) -> None:
    """The stored entry is unit 4712; the key entered belongs to 4711."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Feuerwehr Nachbarstadt",
        unique_id="4712",
        data={CONF_SYSTEM: SYSTEM_DIVERA, CONF_ACCESSKEY: "OLD-KEY", CONF_BASE_URL: divera_url},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data[CONF_ACCESSKEY] == "OLD-KEY"


async def test_member_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, personal_entry: MockConfigEntry
) -> None:
    result = await personal_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"

    # Erika's key is a valid key, but not Max's.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: divera_sim.personal_key(102)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert personal_entry.data[CONF_ACCESSKEY] == PERSONAL_KEY

    result = await personal_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SYSTEM_KEY}
    )
    assert result["errors"] == {"base": "use_divera"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: PERSONAL_KEY}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"


async def test_auth_failure_while_polling_starts_reauth(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, divera_entry)
    divera_sim.system_keys = {"SYSTEM-KEY-SECRET-NEW"}
    await divera_entry.runtime_data.async_refresh()
    await hass.async_block_till_done()

    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_ACCESSKEY: "SYSTEM-KEY-SECRET-NEW"}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert divera_entry.state is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress() == []


# --- reconfigure ------------------------------------------------------------------------------


async def test_unit_reconfigure(
    hass: HomeAssistant,
    divera_sim: DiveraSimulator,
    divera_entry: MockConfigEntry,
    divera_url: str,
    closed_port_url: str,
) -> None:
    await setup_entry(hass, divera_entry)
    result = await divera_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert schema_keys(result) == ["accesskey", "base_url"]
    # The stored key is never sent back to the browser as a default.
    defaults = {
        str(key): key.default() if callable(key.default) else None
        for key in result["data_schema"].schema
    }
    assert defaults == {"accesskey": None, "base_url": divera_url}

    for user_input, error in (
        ({CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: "not a url"}, "invalid_url"),
        ({CONF_ACCESSKEY: SYSTEM_KEY, CONF_BASE_URL: closed_port_url}, "cannot_connect"),
        ({CONF_ACCESSKEY: "WRONG-KEY", CONF_BASE_URL: divera_url}, "invalid_auth"),
        ({CONF_ACCESSKEY: PERSONAL_KEY, CONF_BASE_URL: divera_url}, "use_divera_personal"),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "reconfigure"
        assert result["errors"] == {"base": error}

    divera_sim.system_keys = {"SYSTEM-KEY-SECRET-NEW"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_ACCESSKEY: "SYSTEM-KEY-SECRET-NEW", CONF_BASE_URL: f"{divera_url}/"},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert divera_entry.data == {
        CONF_SYSTEM: SYSTEM_DIVERA,
        CONF_ACCESSKEY: "SYSTEM-KEY-SECRET-NEW",
        CONF_BASE_URL: divera_url,
    }
    assert divera_entry.state is ConfigEntryState.LOADED


async def test_unit_reconfigure_to_another_unit_is_refused(
    hass: HomeAssistant,
    divera_entry: MockConfigEntry,
    second_divera_url: str,
) -> None:
    await setup_entry(hass, divera_entry)
    result = await divera_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESSKEY: SECOND_SYSTEM_KEY, CONF_BASE_URL: second_divera_url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert divera_entry.data[CONF_ACCESSKEY] == SYSTEM_KEY


# --- options ----------------------------------------------------------------------------------


async def test_unit_options_tag_scan(hass: HomeAssistant, divera_entry: MockConfigEntry) -> None:
    await setup_entry(hass, divera_entry)
    assert divera_entry.supports_options
    result = await hass.config_entries.options.async_init(divera_entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    assert result["menu_options"] == ["tag_scan", "link_user"]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "tag_scan"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "tag_scan"
    assert schema_keys(result) == [CONF_TAG_STATUS, CONF_TAG_SECOND_STATUS]
    selector = result["data_schema"].schema[CONF_TAG_STATUS]
    assert [(o["value"], o["label"]) for o in selector.config["options"]] == [
        ("none", "none"),
        ("1", "Einsatzbereit"),
        ("2", "5 Minuten"),
        ("3", "10 Minuten"),
        ("4", "Nicht einsatzbereit"),
    ]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_TAG_STATUS: "1", CONF_TAG_SECOND_STATUS: "4"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert divera_entry.options == {CONF_TAG_STATUS: "1", CONF_TAG_SECOND_STATUS: "4"}
    assert divera_entry.state is ConfigEntryState.LOADED

    # Shown again, the form starts from what was saved.
    result = await hass.config_entries.options.async_init(divera_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "tag_scan"}
    )
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults == {CONF_TAG_STATUS: "1", CONF_TAG_SECOND_STATUS: "4"}


async def test_unit_options_offer_status_ids_where_names_are_unknown(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    divera_sim.system_key_may_pull = False
    divera_sim.set_member_status(103, 3)
    await setup_entry(hass, divera_entry)
    result = await hass.config_entries.options.async_init(divera_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "tag_scan"}
    )
    selector = result["data_schema"].schema[CONF_TAG_STATUS]
    assert [(o["value"], o["label"]) for o in selector.config["options"]] == [
        ("none", "none"),
        ("1", "1"),
        ("3", "3"),
        ("4", "4"),
    ]


async def test_unit_options_link_user(
    hass: HomeAssistant, divera_entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    await setup_entry(hass, divera_entry)
    hass.config_entries.async_update_entry(divera_entry, options={CONF_TAG_STATUS: "1"})
    result = await hass.config_entries.options.async_init(divera_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "link_user"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "link_user"
    assert schema_keys(result) == ["user", "member"]
    users = result["data_schema"].schema["user"].config["options"]
    assert {"value": hass_admin_user.id, "label": hass_admin_user.name} in users
    members = result["data_schema"].schema["member"].config["options"]
    assert [m["label"] for m in members] == [
        "none",
        "Erika Musterfrau",
        "Jonas Schmidt",
        "Max Mustermann",
    ]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"user": hass_admin_user.id, "member": "1001"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert divera_entry.options == {
        CONF_TAG_STATUS: "1",
        CONF_USER_LINKS: {hass_admin_user.id: 1001},
    }

    result = await hass.config_entries.options.async_init(divera_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "link_user"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"user": hass_admin_user.id, "member": "none"}
    )
    await hass.async_block_till_done()
    assert divera_entry.options == {CONF_TAG_STATUS: "1", CONF_USER_LINKS: {}}


async def test_member_entry_has_no_options(
    hass: HomeAssistant, personal_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, personal_entry)
    assert not personal_entry.supports_options


async def test_unit_options_need_a_loaded_entry(
    hass: HomeAssistant, divera_sim: DiveraSimulator, divera_entry: MockConfigEntry
) -> None:
    divera_sim.set_fault("500")
    await hass.config_entries.async_setup(divera_entry.entry_id)
    await hass.async_block_till_done()
    assert divera_entry.state is ConfigEntryState.SETUP_RETRY
    result = await hass.config_entries.options.async_init(divera_entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
