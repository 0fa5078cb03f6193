"""A user's first hour with DIVERA Access, in a real browser against a real Home Assistant.

Onboarding, both systems added through the config flow dialogs, tag scans set
up in the options dialog, then a tag scan at the gate: the member's sensor and
the logbook must show the new status. The screenshots for the README are
taken on the way.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.simulators.biostar import DEFAULT_LOGIN, DEFAULT_PASSWORD
from tests.simulators.divera import SYSTEM_KEY

from .conftest import CHROMIUM, Stack, chromium_missing, http_json

SCREENSHOTS = Path(
    os.environ.get(
        "DIVERA_E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    )
)
OWNER = {"name": "Wehrführer", "username": "wehrfuehrer", "password": "E2e-Owner-Pw-1"}
UNIT = "Feuerwehr Musterstadt"
# Erika Musterfrau is "Nicht einsatzbereit" in the simulator's realistic unit.
MEMBER, MEMBER_TAG = "Erika Musterfrau", "0451D5E6F7"
ARRIVAL, SECOND = "Einsatzbereit", "Nicht einsatzbereit"
GATE = "Wache Tor"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_missing(),
        reason=f"{CHROMIUM} not found where python3.14 runs: install it with "
        "`DIVERA_ACCESS_DEBS=chromium scripts/bootstrap`",
    ),
]


def test_tag_scan_in_the_browser(stack: Stack, page: Any) -> None:
    """Set everything up as a user would, then a tag scan shows up in sensor and logbook."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    onboard(page, stack.ha_url)
    token = long_lived_token(page)
    wait_until_running(stack.ha_url, token)

    add_divera_unit(page, stack)
    add_biostar_server(page, stack)
    entries = http_json(
        f"{stack.ha_url}/api/config/config_entries/entry?domain=divera_access", token=token
    )
    assert sorted((e["title"], e["state"]) for e in entries) == [
        ("BioStar 127.0.0.1", "loaded"),
        (UNIT, "loaded"),
    ]
    set_tag_scan_options(page, stack)
    page.goto(f"{stack.ha_url}/config/integrations/integration/divera_access")
    page.get_by_text(UNIT).first.wait_for()
    page.get_by_text("BioStar 127.0.0.1").first.wait_for()
    snap(page, "integration-entries.png")

    member = member_state(stack.ha_url, token)
    assert member["state"] == SECOND
    since = datetime.now(UTC)
    http_json(
        f"{stack.ha_url}/api/events/tag_scanned",
        token=token,
        data={"tag_id": MEMBER_TAG, "name": GATE},
    )
    wait_for(
        lambda: member_state(stack.ha_url, token)["state"] == ARRIVAL,
        f"{MEMBER}'s sensor shows {ARRIVAL}",
    )
    divera = http_json(f"{stack.divera_url}/api/users?accesskey={SYSTEM_KEY}")
    erika = next(m for m in divera["data"] if m["foreign_id"] == MEMBER_TAG)
    assert int(erika["status_id"]) == 1, "DIVERA itself has the new status"

    line = wait_for(
        lambda: logbook_line(stack.ha_url, token, since),
        f"a logbook line for {MEMBER}",
    )
    assert line["message"] == f"{ARRIVAL}, by tag at {GATE}"

    show_unit_device(page, stack, member["entity_id"])
    snap(page, "unit-device.png")
    page.goto(f"{stack.ha_url}/logbook")
    page.get_by_text(f"{ARRIVAL}, by tag at {GATE}").first.wait_for()
    snap(page, "logbook.png")


# -- steps -------------------------------------------------------------------


def onboard(page: Any, url: str) -> None:
    """Create the owner, pick the country, decline analytics, finish."""
    page.goto(url)
    page.get_by_role("button", name="Create my smart home").click()
    page.locator("input[autocomplete=name]").fill(OWNER["name"])
    page.locator("input[autocomplete=username]").fill(OWNER["username"])
    passwords = page.locator("input[autocomplete=new-password]")
    passwords.nth(0).fill(OWNER["password"])
    passwords.nth(1).fill(OWNER["password"])
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name="Next").click()  # home location: keep the default
    page.get_by_label("Country").click()
    page.get_by_placeholder("Search").fill("Germany")
    page.get_by_text("Germany", exact=True).click()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Help us help you").wait_for()
    page.get_by_role("button", name="Next").click()  # analytics stay off
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url(re.compile(r"/(home|lovelace)"))


def long_lived_token(page: Any) -> str:
    """A long-lived access token of the owner, made through the frontend's websocket."""
    token: str = page.evaluate(
        """() => document.querySelector("home-assistant").hass.callWS({
            type: "auth/long_lived_access_token", client_name: "e2e test", lifespan: 1
        })"""
    )
    return token


def wait_until_running(url: str, token: str) -> None:
    """Home Assistant has finished starting (all integrations set up)."""
    wait_for(
        lambda: http_json(f"{url}/api/config", token=token)["state"] == "RUNNING",
        "Home Assistant running",
        timeout=180,
    )


def start_config_flow(
    page: Any, stack: Stack, menu_option: str, screenshot: str | None = None
) -> None:
    """Settings → Devices & services → Add integration → DIVERA Access → menu option."""
    page.goto(f"{stack.ha_url}/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search", exact=False).last.fill("DIVERA")
    page.get_by_role("button", name="DIVERA Access", exact=True).click()
    page.get_by_text("What do you want to connect?").wait_for()
    if screenshot:
        snap(page, screenshot)
    page.get_by_text(menu_option, exact=True).click()


def finish_config_flow(page: Any, manufacturer: str) -> None:
    """Submit the form; the success step offers the new device for naming: keep its name."""
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Name and assign").wait_for()
    page.locator("dialog-data-entry-flow").get_by_text(manufacturer, exact=True).wait_for()
    page.get_by_role("button", name="Skip and finish").click()
    page.get_by_text("Name and assign").wait_for(state="detached")


def add_divera_unit(page: Any, stack: Stack) -> None:
    """The unit, with the System-Benutzer key, on the simulator."""
    start_config_flow(
        page, stack, "DIVERA 24/7 unit (System-Benutzer key)", screenshot="config-flow-menu.png"
    )
    page.locator("input[name=accesskey]").fill(SYSTEM_KEY)
    page.locator("input[name=base_url]").fill(stack.divera_url)
    finish_config_flow(page, "DIVERA 24/7")


def add_biostar_server(page: Any, stack: Stack) -> None:
    """The BioStar server on the simulator, plain HTTP."""
    start_config_flow(page, stack, "Suprema BioStar 2 server")
    page.locator("input[name=url]").fill(stack.biostar_url)
    page.locator("input[name=username]").fill(DEFAULT_LOGIN)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.get_by_text("Verify the SSL certificate").wait_for()  # irrelevant over plain HTTP
    finish_config_flow(page, "Suprema")


def set_tag_scan_options(page: Any, stack: Stack) -> None:
    """Options of the unit → NFC tag scans: arrive Einsatzbereit, leave Nicht einsatzbereit."""
    page.goto(f"{stack.ha_url}/config/integrations/integration/divera_access")
    entry_row = page.locator("ha-config-entry-row").filter(has_text=UNIT)
    entry_row.get_by_role("button", name="Configure").click()
    page.get_by_text("NFC tag scans", exact=True).click()
    choose(page, "Status on tag scan", ARRIVAL)
    choose(page, "Status on second scan", SECOND)
    snap(page, "options-tag-scan.png")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Options successfully saved.").wait_for()
    page.get_by_role("button", name="Finish").click()


def choose(page: Any, label: str, option: str) -> None:
    """Pick an option of a dropdown selector."""
    page.get_by_label(label).click()
    page.get_by_role("menuitem", name=option, exact=True).click()


def show_unit_device(page: Any, stack: Stack, entity_id: str) -> None:
    """Open the unit's device page (found through the member sensor)."""
    device_id: str = page.evaluate(
        """(entityId) => document.querySelector("home-assistant").hass
            .entities[entityId].device_id""",
        entity_id,
    )
    page.goto(f"{stack.ha_url}/config/devices/device/{device_id}")
    page.get_by_text(MEMBER).first.wait_for()


def snap(page: Any, name: str) -> None:
    """A screenshot for the README, with transitions run to their end."""
    page.screenshot(path=SCREENSHOTS / name, animations="disabled")


# -- reading state -----------------------------------------------------------


def member_state(url: str, token: str) -> dict[str, Any]:
    """The member sensor of the member with the scanned tag."""
    states = http_json(f"{url}/api/states", token=token)
    return next(s for s in states if s["attributes"].get("foreign_id") == MEMBER_TAG)


def logbook_line(url: str, token: str, since: datetime) -> dict[str, Any] | None:
    """The integration's logbook line about the member, if it is there yet."""
    entries = http_json(f"{url}/api/logbook/{since.isoformat()}", token=token)
    return next((e for e in entries if e.get("name") == f"{MEMBER}:"), None)


def wait_for[T](check: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    """Poll until ``check`` returns something truthy."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)
    return result
