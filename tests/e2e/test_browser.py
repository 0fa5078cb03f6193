"""A user's first hour with DIVERA Access, in a real browser against a real Home Assistant.

Onboarding, both systems added through the config flow dialogs, tag scans and
the door group set up in the options dialogs, the README's dashboard pasted
into the raw configuration editor; then a tag scan at the gate while the
dashboard is open: it must show the member's new status and the door group's
new count, and Assist must name the member among those available. The
screenshots for the README are taken on the way.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.simulators.biostar import DEFAULT_LOGIN, DEFAULT_PASSWORD, SESSION_HEADER
from tests.simulators.divera import SYSTEM_KEY

from .conftest import CHROMIUM, Stack, chromium_missing, http_json

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("DIVERA_E2E_SCREENSHOTS", REPO_ROOT / "docs" / "screenshots"))
OWNER = {"name": "Wehrführer", "username": "wehrfuehrer", "password": "E2e-Owner-Pw-1"}
UNIT = "Feuerwehr Musterstadt"
# Erika Musterfrau is "Nicht einsatzbereit" in the simulator's realistic unit.
MEMBER, MEMBER_TAG = "Erika Musterfrau", "0451D5E6F7"
ARRIVAL, SECOND = "Einsatzbereit", "Nicht einsatzbereit"
GATE = "Wache Tor"
# In the simulator's realistic BioStar, Erika holds the card with her tag's id and
# is not yet in the door group "Wache Tor" (access group 1).
BIOSTAR_USER, DOOR_GROUP_ID = 1751, 1
# The entity ids of the README's dashboard, as scripts/develop creates them.
ARRIVAL_COUNT = "sensor.feuerwehr_musterstadt_einsatzbereit"
DOOR_GROUP = "sensor.biostar_127_0_0_1_wache_tor"
DASHBOARD_URL = "dashboard-wache"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_missing(),
        reason=f"{CHROMIUM} not found where python3.14 runs: install it with "
        "`DIVERA_ACCESS_DEBS=chromium scripts/bootstrap`",
    ),
]


def test_tag_scan_in_the_browser(stack: Stack, page: Any) -> None:
    """Set everything up as a user would; a tag scan shows on the dashboard, in Assist, logbook."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    onboard(page, stack.ha_url)
    token = long_lived_token(page)
    wait_until_running(stack.ha_url, token)

    add_divera_unit(page, stack)
    add_biostar_server(page, stack)
    assert entries_loaded(stack.ha_url, token)
    set_tag_scan_options(page, stack)
    set_arrival_access_groups(page, stack)
    wait_for(lambda: entries_loaded(stack.ha_url, token), "both entries loaded with their options")
    show_integration(page, stack)
    page.get_by_text(UNIT).first.wait_for()
    page.get_by_text("BioStar 127.0.0.1").first.wait_for()
    snap(page, "integration.png")

    member = member_state(stack.ha_url, token)
    assert member["state"] == SECOND
    available: list[str] = state(stack.ha_url, token, ARRIVAL_COUNT)["attributes"]["members"]
    door = state(stack.ha_url, token, DOOR_GROUP)
    assert BIOSTAR_USER not in door["attributes"]["user_ids"]
    create_readme_dashboard(page, stack)
    expect_dashboard(page, member=SECOND, available=available, door=int(door["state"]))

    since = datetime.now(UTC)
    http_json(
        f"{stack.ha_url}/api/events/tag_scanned",
        token=token,
        data={"tag_id": MEMBER_TAG, "name": GATE},
    )
    available = sorted([*available, MEMBER])
    expect_dashboard(page, member=ARRIVAL, available=available, door=int(door["state"]) + 1)
    snap(page, "dashboard.png")

    assert member_state(stack.ha_url, token)["state"] == ARRIVAL
    assert state(stack.ha_url, token, ARRIVAL_COUNT)["attributes"]["members"] == available
    divera = http_json(f"{stack.divera_url}/api/users?accesskey={SYSTEM_KEY}")
    erika = next(m for m in divera["data"] if m["foreign_id"] == MEMBER_TAG)
    assert int(erika["status_id"]) == 1, "DIVERA itself has the new status"
    door = state(stack.ha_url, token, DOOR_GROUP)
    assert BIOSTAR_USER in door["attributes"]["user_ids"]
    assert BIOSTAR_USER in biostar_group_users(stack.biostar_url, DOOR_GROUP_ID), (
        "BioStar itself lets her in"
    )
    line = wait_for(
        lambda: logbook_line(stack.ha_url, token, since),
        f"a logbook line for {MEMBER}",
    )
    assert line["message"] == f"{ARRIVAL}, by tag at {GATE}"

    ask_assist(
        page,
        "Who is available?",
        f"{len(available)} are {ARRIVAL}: {', '.join(available[:-1])} and {available[-1]}.",
    )
    snap(page, "assist.png")

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


def show_integration(page: Any, stack: Stack) -> None:
    """The integration's page with both entries; not loaded again when already open."""
    url = f"{stack.ha_url}/config/integrations/integration/divera_access"
    if page.url != url:
        page.goto(url)


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
    show_integration(page, stack)
    entry_row = page.locator("ha-config-entry-row").filter(has_text=UNIT)
    entry_row.get_by_role("button", name="Configure").click()
    page.get_by_text("NFC tag scans", exact=True).click()
    choose(page, "Status on tag scan", ARRIVAL)
    choose(page, "Status on second scan", SECOND)
    snap(page, "options-tag-scan.png")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Options successfully saved.").wait_for()
    page.get_by_role("button", name="Finish").click()


def set_arrival_access_groups(page: Any, stack: Stack) -> None:
    """Options of the BioStar server: the door group a tag scan lets the member into."""
    show_integration(page, stack)
    entry_row = page.locator("ha-config-entry-row").filter(has_text="BioStar 127.0.0.1")
    entry_row.get_by_role("button", name="Configure").click()
    dialog = page.locator("dialog-data-entry-flow")
    dialog.get_by_text("Access groups on arrival").wait_for()
    dialog.get_by_text(GATE, exact=True).click()
    expect(dialog.get_by_role("checkbox", name=GATE)).to_be_checked()
    snap(page, "options-access-groups.png")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Options successfully saved.").wait_for()
    page.get_by_role("button", name="Finish").click()


def readme_dashboard_yaml() -> str:
    """The dashboard YAML of the README's "Dashboard" section, as a user would copy it."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Dashboard\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found, "the README's Dashboard section has a YAML block"
    return found.group(1)


def create_readme_dashboard(page: Any, stack: Stack) -> None:
    """Add a dashboard from scratch and paste the README's YAML into its raw editor."""
    page.goto(f"{stack.ha_url}/config/lovelace/dashboards")
    page.get_by_role("button", name="Add dashboard").click()
    page.get_by_text("New dashboard from scratch").click()
    page.locator("input[name=title]").fill("Wache")
    expect(page.locator("input[name=url_path]")).to_have_value(DASHBOARD_URL)
    page.get_by_role("button", name="Create").click()
    page.get_by_text("Add new dashboard").wait_for(state="hidden")
    page.goto(f"{stack.ha_url}/{DASHBOARD_URL}")
    page.get_by_role("button", name="Edit dashboard").click()
    page.get_by_role("button", name="Open dashboard menu").click()
    page.get_by_role("menuitem", name="Raw configuration editor").click()
    page.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(readme_dashboard_yaml())  # typed text would be auto-indented
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Unsaved changes").wait_for(state="hidden")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Done").click()
    page.goto(f"{stack.ha_url}/{DASHBOARD_URL}")  # open it afresh, as the user will next time


def expect_dashboard(page: Any, *, member: str, available: list[str], door: int) -> None:
    """What the README's dashboard shows: who is available, the member, the door's count."""
    tile = page.locator("hui-tile-card").filter(has=page.get_by_text(ARRIVAL, exact=True))
    expect(tile).to_contain_text(f"{len(available)} members")
    expect(page.locator("hui-markdown-card")).to_contain_text(", ".join(available))
    # Case matters: "Nicht einsatzbereit" does not contain "Einsatzbereit".
    row = page.locator("hui-generic-entity-row").filter(has_text=MEMBER)
    expect(row).to_contain_text(member)
    gate = page.locator("hui-generic-entity-row").filter(has_text=GATE)
    expect(gate).to_contain_text(f"{door} users")
    latest = page.locator("hui-logbook-card ha-logbook-entry").filter(has_text=MEMBER).first
    expect(latest).to_contain_text(member)
    expect(page.locator("hui-error-card, hui-warning")).to_have_count(0)


def ask_assist(page: Any, question: str, answer: str) -> None:
    """Open Assist from the dashboard's toolbar, type the question, wait for the answer."""
    page.get_by_role("button", name="Assist (A)", exact=True).click()
    chat = page.locator("ha-assist-chat")
    chat.get_by_role("textbox").fill(question)
    chat.get_by_role("textbox").press("Enter")
    expect(chat).to_contain_text(answer)


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
    """A screenshot for the README, with transitions run to their end and no tooltip."""
    page.mouse.move(1279, 799)
    page.screenshot(path=SCREENSHOTS / name, animations="disabled")


# -- reading state -----------------------------------------------------------


def state(url: str, token: str, entity_id: str) -> dict[str, Any]:
    """An entity's state object."""
    result: dict[str, Any] = http_json(f"{url}/api/states/{entity_id}", token=token)
    return result


def biostar_group_users(url: str, group_id: int) -> list[int]:
    """The users BioStar itself has in an access group, read through its own API."""
    login = urllib.request.Request(  # noqa: S310  (loopback)
        f"{url}/api/login",
        data=json.dumps(
            {"User": {"login_id": DEFAULT_LOGIN, "password": DEFAULT_PASSWORD}}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(login, timeout=10) as response:  # noqa: S310
        session = response.headers[SESSION_HEADER]
    request = urllib.request.Request(  # noqa: S310
        f"{url}/api/access_groups/{group_id}", headers={SESSION_HEADER: session}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        group = json.loads(response.read())["AccessGroup"]
    return [int(user["user_id"]) for user in group["users"]]


def entries_loaded(url: str, token: str) -> bool:
    """Whether the unit and the BioStar server are both set up (again, after options)."""
    entries = http_json(f"{url}/api/config/config_entries/entry?domain=divera_access", token=token)
    return sorted((e["title"], e["state"]) for e in entries) == [
        ("BioStar 127.0.0.1", "loaded"),
        (UNIT, "loaded"),
    ]


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
