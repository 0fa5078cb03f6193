"""Config flow for BioStar: the step, certificate pinning, reauth, reconfigure, options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.divera_access.const import (
    CONF_ARRIVAL_GROUPS,
    CONF_FINGERPRINT,
    CONF_SYSTEM,
    DOMAIN,
    SYSTEM_BIOSTAR,
)
from tests.conftest import biostar_data, biostar_unique_id, setup_entry
from tests.simulators.biostar import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    BiostarSimulator,
    cert_fingerprint,
    server_ssl_context,
    start_simulator,
)

pytestmark = pytest.mark.usefixtures("biostar_secrets_never_logged")

NEW_PASSWORD = "BioStar-New-Pw2"
WRONG_PASSWORD = "Wrong-Pw-3"
OTHER_FINGERPRINT = "ab" * 32

type Certs = tuple[tuple[Path, Path], tuple[Path, Path]]


@pytest.fixture(autouse=True)
def _more_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The passwords of these tests must not be logged either."""
    from tests import conftest  # noqa: PLC0415

    monkeypatch.setattr(conftest, "SECRETS", [*conftest.SECRETS, NEW_PASSWORD, WRONG_PASSWORD])


async def start(hass: HomeAssistant) -> dict[str, Any]:
    """Open the menu, choose BioStar, and return the empty form."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "biostar" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "biostar"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "biostar"
    assert result["errors"] == {}
    return result


async def submit(
    hass: HomeAssistant,
    result: dict[str, Any],
    url: str,
    *,
    password: str = DEFAULT_PASSWORD,
    verify_ssl: bool | None = None,
) -> dict[str, Any]:
    user_input: dict[str, Any] = {
        CONF_URL: url,
        CONF_USERNAME: DEFAULT_LOGIN,
        CONF_PASSWORD: password,
    }
    if verify_ssl is not None:
        user_input[CONF_VERIFY_SSL] = verify_ssl
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return result


def schema_defaults(result: dict[str, Any]) -> dict[str, Any]:
    """Field name -> default (None where there is none)."""
    defaults = {}
    for key in result["data_schema"].schema:
        default = key.default() if callable(key.default) else None
        defaults[str(key)] = default
    return defaults


def suggested_values(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }


def writes(sim: BiostarSimulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.requests if r.method in {"PUT", "POST", "DELETE"}]


# --- the biostar step -------------------------------------------------------------------------


async def test_server_is_added_over_http(
    hass: HomeAssistant, biostar_sim: BiostarSimulator, biostar_url: str
) -> None:
    result = await start(hass)
    assert list(schema_defaults(result)) == ["url", "username", "password", "verify_ssl"]
    assert schema_defaults(result)["verify_ssl"] is True

    result = await submit(hass, result, f"{biostar_url}/")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "BioStar 127.0.0.1"
    assert result["result"].unique_id == biostar_unique_id(biostar_url)
    assert result["data"] == {
        CONF_SYSTEM: SYSTEM_BIOSTAR,
        CONF_URL: biostar_url,
        CONF_USERNAME: DEFAULT_LOGIN,
        CONF_PASSWORD: DEFAULT_PASSWORD,
        CONF_VERIFY_SSL: True,
        CONF_FINGERPRINT: None,
    }
    assert result["result"].state is ConfigEntryState.LOADED
    assert len(hass.states.async_entity_ids("sensor")) == 2
    # The flow logged in and listed the groups; nothing was changed on the server.
    assert biostar_sim.requests[0].method == "POST"
    assert biostar_sim.requests[0].path == "/api/login"
    assert biostar_sim.requests[0].json == {
        "User": {"login_id": DEFAULT_LOGIN, "password": DEFAULT_PASSWORD}
    }
    assert not [w for w in writes(biostar_sim) if w[1] not in {"/api/login", "/api/logout"}]
    # The flow's own session was logged out before the entry logged in for itself.
    paths = [request.path for request in biostar_sim.requests]
    assert paths.index("/api/logout") < paths.index("/api/login", 1)


async def test_verification_off_over_http_pins_nothing(
    hass: HomeAssistant, biostar_url: str
) -> None:
    result = await submit(hass, await start(hass), biostar_url, verify_ssl=False)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VERIFY_SSL] is False
    assert result["data"][CONF_FINGERPRINT] is None


async def test_wrong_password_then_the_right_one(
    hass: HomeAssistant, biostar_sim: BiostarSimulator, biostar_url: str
) -> None:
    result = await start(hass)
    result = await submit(hass, result, biostar_url, password=WRONG_PASSWORD)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "biostar"
    assert result["errors"] == {"base": "invalid_auth"}
    assert [r.path for r in biostar_sim.requests] == ["/api/login"]
    assert not hass.config_entries.async_entries(DOMAIN)
    # What the user typed stays in the form, but the password is not sent back.
    assert suggested_values(result) == {
        CONF_URL: biostar_url,
        CONF_USERNAME: DEFAULT_LOGIN,
        CONF_PASSWORD: None,
        CONF_VERIFY_SSL: True,
    }

    result = await submit(hass, result, biostar_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_refusal_after_login_is_invalid_auth(
    hass: HomeAssistant, biostar_sim: BiostarSimulator, biostar_url: str
) -> None:
    """An operator who may not read access groups is of no use."""
    biostar_sim.fault_message = "Permission denied."
    biostar_sim.set_fault("error_code", "/api/access_groups")

    result = await submit(hass, await start(hass), biostar_url)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}


async def test_nobody_listening_is_cannot_connect(
    hass: HomeAssistant, closed_port_url: str
) -> None:
    result = await submit(hass, await start(hass), closed_port_url)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_nobody_listening_for_the_certificate_is_cannot_connect(
    hass: HomeAssistant, closed_port_url: str
) -> None:
    url = closed_port_url.replace("http:", "https:")

    result = await submit(hass, await start(hass), url, verify_ssl=False)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.parametrize("fault", ["500", "malformed", "429"])
async def test_server_faults_are_cannot_connect(
    hass: HomeAssistant, biostar_sim: BiostarSimulator, biostar_url: str, fault: str
) -> None:
    biostar_sim.set_fault(fault, "/api/access_groups")

    result = await submit(hass, await start(hass), biostar_url)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_self_signed_certificate_with_verification_is_certificate_error(
    hass: HomeAssistant, biostar_sim: BiostarSimulator, biostar_https_url: str
) -> None:
    result = await submit(hass, await start(hass), biostar_https_url, verify_ssl=True)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "certificate_error"}
    # The handshake failed: the password never went out.
    assert biostar_sim.requests == []


async def test_verification_off_pins_the_certificate_seen(
    hass: HomeAssistant,
    biostar_sim: BiostarSimulator,
    biostar_https_url: str,
    biostar_certs: Certs,
) -> None:
    result = await submit(hass, await start(hass), biostar_https_url, verify_ssl=False)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == biostar_unique_id(biostar_https_url)
    assert result["data"][CONF_URL] == biostar_https_url
    assert result["data"][CONF_VERIFY_SSL] is False
    assert result["data"][CONF_FINGERPRINT] == cert_fingerprint(biostar_certs[0][0])
    assert result["data"][CONF_FINGERPRINT] != cert_fingerprint(biostar_certs[1][0])
    assert result["result"].state is ConfigEntryState.LOADED
    assert len(biostar_sim.requests_to("/api/login")) == 2  # the flow, then the entry


async def test_unexpected_error_is_unknown(
    hass: HomeAssistant,
    biostar_sim: BiostarSimulator,
    biostar_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(
        "custom_components.divera_access.api.BiostarClient.async_get_access_groups", broken
    )
    result = await submit(hass, await start(hass), biostar_url)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the connection" in caplog.text


@pytest.mark.parametrize(
    "url", ["10.0.0.5", "ftp://10.0.0.5", "https://", "http://127.0.0.1:99999", "  "]
)
async def test_invalid_url(
    hass: HomeAssistant, biostar_sim: BiostarSimulator, biostar_url: str, url: str
) -> None:
    result = await submit(hass, await start(hass), url)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_url"}
    assert biostar_sim.requests == []


async def test_the_same_server_twice_is_already_configured(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_url: str
) -> None:
    result = await submit(hass, await start(hass), biostar_url.replace("127.0.0.1", "127.0.0.1"))

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [biostar_entry]


async def test_another_port_is_another_server(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, socket_enabled: None
) -> None:
    other = BiostarSimulator.small()
    runner, url = await start_simulator(other)
    try:
        result = await submit(hass, await start(hass), url)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["result"].unique_id == biostar_unique_id(url) != biostar_entry.unique_id
        assert await hass.config_entries.async_unload(result["result"].entry_id)
    finally:
        await runner.cleanup()


# --- reauth -----------------------------------------------------------------------------------


async def test_reauth_with_a_new_password(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await setup_entry(hass, biostar_entry)
    biostar_sim.credentials[DEFAULT_LOGIN] = NEW_PASSWORD

    result = await biostar_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"] == {"name": "BioStar 127.0.0.1"}
    assert schema_defaults(result) == {CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: None}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: WRONG_PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    assert biostar_entry.data[CONF_PASSWORD] == DEFAULT_PASSWORD

    logins = biostar_sim.login_count
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert biostar_entry.data == {
        **biostar_data(biostar_entry.data[CONF_URL]),
        CONF_PASSWORD: NEW_PASSWORD,
    }
    assert biostar_entry.state is ConfigEntryState.LOADED
    assert biostar_sim.login_count == logins + 2  # the check, then the reloaded entry


async def test_reauth_with_another_login_id(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    biostar_sim.credentials = {"operator": NEW_PASSWORD}

    result = await biostar_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "operator", CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert biostar_entry.data[CONF_USERNAME] == "operator"
    assert biostar_entry.data[CONF_PASSWORD] == NEW_PASSWORD
    assert biostar_entry.state is ConfigEntryState.LOADED


async def test_reauth_keeps_the_pinned_certificate(
    hass: HomeAssistant,
    biostar_sim: BiostarSimulator,
    biostar_certs: Certs,
    aborted_handshakes_tolerated: None,
    socket_enabled: None,
) -> None:
    """Signing in again must not trust whatever certificate the server shows now."""
    runner, url = await start_simulator(
        biostar_sim, ssl_context=server_ssl_context(*biostar_certs[1])
    )
    try:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="BioStar 127.0.0.1",
            unique_id=biostar_unique_id(url),
            data=biostar_data(
                url, verify_ssl=False, fingerprint=cert_fingerprint(biostar_certs[0][0])
            ),
        )
        entry.add_to_hass(hass)

        result = await entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: NEW_PASSWORD}
        )
    finally:
        await runner.cleanup()

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "certificate_error"}
    assert entry.data[CONF_FINGERPRINT] == cert_fingerprint(biostar_certs[0][0])
    assert entry.data[CONF_PASSWORD] == DEFAULT_PASSWORD
    # The new password never reached the server with the other certificate.
    assert biostar_sim.requests == []


# --- reconfigure ------------------------------------------------------------------------------


async def test_reconfigure_shows_the_current_settings_and_changes_them(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_sim: BiostarSimulator,
    biostar_url: str,
) -> None:
    await setup_entry(hass, biostar_entry)
    result = await biostar_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"name": "BioStar 127.0.0.1"}
    assert schema_defaults(result) == {
        CONF_URL: biostar_url,
        CONF_USERNAME: DEFAULT_LOGIN,
        CONF_PASSWORD: None,
        CONF_VERIFY_SSL: True,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: biostar_url, CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: WRONG_PASSWORD},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_auth"}

    biostar_sim.credentials[DEFAULT_LOGIN] = NEW_PASSWORD
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: f"{biostar_url}/",
            CONF_USERNAME: DEFAULT_LOGIN,
            CONF_PASSWORD: NEW_PASSWORD,
            CONF_VERIFY_SSL: False,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert biostar_entry.data == {
        **biostar_data(biostar_url, verify_ssl=False),
        CONF_PASSWORD: NEW_PASSWORD,
    }
    assert biostar_entry.state is ConfigEntryState.LOADED


async def test_reconfigure_pins_the_certificate_seen_now(
    hass: HomeAssistant,
    biostar_sim: BiostarSimulator,
    biostar_https_url: str,
    biostar_certs: Certs,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(biostar_https_url),
        data=biostar_data(biostar_https_url, verify_ssl=False, fingerprint=OTHER_FINGERPRINT),
    )
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    assert schema_defaults(result)[CONF_VERIFY_SSL] is False
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: biostar_https_url,
            CONF_USERNAME: DEFAULT_LOGIN,
            CONF_PASSWORD: DEFAULT_PASSWORD,
            CONF_VERIFY_SSL: False,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_FINGERPRINT] == cert_fingerprint(biostar_certs[0][0])
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_moves_the_server_to_a_new_address(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_url: str,
    socket_enabled: None,
) -> None:
    """BioStar has no id of its own: a server that moved is reconfigured to its new address."""
    await setup_entry(hass, biostar_entry)
    moved = BiostarSimulator.small()
    runner, url = await start_simulator(moved)
    try:
        result = await biostar_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_URL: url, CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: DEFAULT_PASSWORD},
        )
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert biostar_entry.data[CONF_URL] == url
        assert biostar_entry.unique_id == biostar_unique_id(url)
        assert biostar_entry.state is ConfigEntryState.LOADED
        assert moved.requests_to("/api/access_groups")
    finally:
        await hass.config_entries.async_unload(biostar_entry.entry_id)
        await runner.cleanup()


async def test_reconfigure_onto_another_entrys_server_is_refused(
    hass: HomeAssistant,
    biostar_entry: MockConfigEntry,
    biostar_url: str,
    socket_enabled: None,
) -> None:
    other = BiostarSimulator.small()
    runner, url = await start_simulator(other)
    try:
        MockConfigEntry(
            domain=DOMAIN, unique_id=biostar_unique_id(url), data=biostar_data(url)
        ).add_to_hass(hass)
        result = await biostar_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_URL: url, CONF_USERNAME: DEFAULT_LOGIN, CONF_PASSWORD: DEFAULT_PASSWORD},
        )
    finally:
        await runner.cleanup()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert biostar_entry.data[CONF_URL] == biostar_url


# --- options ----------------------------------------------------------------------------------


async def test_options_choose_the_access_groups_for_arrival(
    hass: HomeAssistant, biostar_entry: MockConfigEntry, biostar_sim: BiostarSimulator
) -> None:
    await setup_entry(hass, biostar_entry)

    result = await hass.config_entries.options.async_init(biostar_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "door_groups"
    assert schema_defaults(result) == {CONF_ARRIVAL_GROUPS: []}
    selector = next(iter(result["data_schema"].schema.values()))
    assert selector.config["multiple"] is True
    assert selector.config["options"] == [
        {"value": "2", "label": "Fahrzeughalle"},
        {"value": "1", "label": "Wache Tor"},
    ]

    logins = biostar_sim.login_count
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ARRIVAL_GROUPS: ["1"]}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert biostar_entry.options == {CONF_ARRIVAL_GROUPS: [1]}
    assert biostar_entry.state is ConfigEntryState.LOADED
    assert biostar_sim.login_count == logins + 1  # reloaded with the new options

    result = await hass.config_entries.options.async_init(biostar_entry.entry_id)
    assert schema_defaults(result) == {CONF_ARRIVAL_GROUPS: ["1"]}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ARRIVAL_GROUPS: []}
    )
    await hass.async_block_till_done()
    assert biostar_entry.options == {CONF_ARRIVAL_GROUPS: []}
    assert not [w for w in writes(biostar_sim) if w[1] not in {"/api/login", "/api/logout"}]


async def test_options_wait_until_the_server_is_loaded(
    hass: HomeAssistant, closed_port_url: str
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="BioStar 127.0.0.1",
        unique_id=biostar_unique_id(closed_port_url),
        data=biostar_data(closed_port_url),
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.supports_options

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
    assert entry.options == {}
