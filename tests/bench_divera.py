"""Speed of a large unit: requests per poll, state writes per poll, action-to-state latency.

Run with `scripts/benchmark`. Prints one line per measurement and fails when a
design target is missed (targets are counts, which are stable, plus generous
time ceilings).
"""

from __future__ import annotations

import time
from datetime import timedelta

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.divera_access.const import DOMAIN
from tests.conftest import setup_entry
from tests.simulators.divera import DiveraSimulator

MEMBERS = 500
POLLS = 20


async def test_large_unit(
    hass: HomeAssistant, divera_entry: MockConfigEntry, divera_sim: DiveraSimulator
) -> None:
    for number in range(MEMBERS):
        divera_sim.add_member(
            f"Vorname{number}",
            f"Nachname{number}",
            foreign_id=f"BENCH{number:05d}",
            status_id=1 + number % 4,
        )
    started = time.perf_counter()
    await setup_entry(hass, divera_entry)
    print(f"setup with {MEMBERS + 3} members: {time.perf_counter() - started:.3f} s")

    writes: list[Event] = []

    @callback
    def _count(event: Event) -> None:
        writes.append(event)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _count)
    before = len(divera_sim.requests_to("/api/users"))
    poll_times: list[float] = []
    now = dt_util.utcnow()
    for poll in range(1, POLLS + 1):
        started = time.perf_counter()
        async_fire_time_changed(hass, now + timedelta(seconds=31 * poll))
        await hass.async_block_till_done(wait_background_tasks=True)
        poll_times.append(time.perf_counter() - started)
    requests = len(divera_sim.requests_to("/api/users")) - before
    print(f"requests per poll: {requests / POLLS:.2f} (target 1)")
    print(f"state writes per unchanged poll: {len(writes) / POLLS:.2f} (target 0)")
    print(f"poll time: median {sorted(poll_times)[POLLS // 2] * 1000:.1f} ms")
    assert requests == POLLS
    assert writes == []

    divera_sim.set_member_status(divera_sim.member_by_foreign_id("BENCH00000").user_id, 4)
    async_fire_time_changed(hass, now + timedelta(seconds=31 * (POLLS + 1)))
    await hass.async_block_till_done(wait_background_tasks=True)
    changed = {event.data["entity_id"] for event in writes}
    print(f"state writes after one member changed: {len(writes)} entities {sorted(changed)}")
    # The member's sensor and the two status counts it moved between.
    assert len(writes) == 3

    member = divera_sim.member_by_foreign_id("BENCH00001")
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"4711_{member.user_cluster_relation_id}"
    )
    started = time.perf_counter()
    await hass.services.async_call(
        DOMAIN, "set_status", {"foreign_id": "BENCH00001", "status": 3}, blocking=True
    )
    latency = time.perf_counter() - started
    print(f"set_status to visible state: {latency * 1000:.1f} ms (no poll needed)")
    assert hass.states.get(entity_id).state == "10 Minuten"
    assert latency < 2
