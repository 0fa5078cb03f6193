"""A stateful DIVERA 24/7 simulator (aiohttp app).

Endpoints:
- ``GET /api/users``: members; system keys only.
- ``GET /api/v2/pull/all``: unit, statuses and, for personal keys, the owner.
  System keys get 403 unless ``system_key_may_pull`` is set; then
  ``data.user`` is ``[]`` and ``data.ucr_active`` is 0.
- ``POST``/``GET /api/setstatus?person=<foreign id>&Status[id]=<id>``: system
  keys only.
- ``POST /api/v2/statusgeber/set-status`` with ``{"Status": {"id": N}}``:
  personal keys only.

DIVERA's quirks are always reproduced: ``user_id`` and ``status_id`` of every
other member (and the unit id) are strings, ``status``/``statussorting`` are
``[]`` when the unit has no statuses, empty foreign ids are ``""``, and an
unknown person or status is refused with HTTP 200 and ``success: false``. An
unknown key gets 401 ``{"success": false, "message": "Unauthorized"}``
everywhere; a key of the wrong kind gets 403.

Faults (``set_fault(kind, path=None)``; ``path=None`` means every endpoint):
- ``"timeout"``: sleep ``timeout_delay`` seconds, then answer normally.
- ``"500"``, ``"401"``, ``"403"``, ``"429"``: that HTTP status.
- ``"malformed"``: HTTP 200 with a body that is not JSON.
- ``"success_false"``: HTTP 200 ``{"success": false, "errors": {"error":
  ["Simulated failure"]}}``; replace ``refusal`` to send other error shapes.
- ``"empty_list"``: HTTP 200 ``{"success": true, "data": []}``, DIVERA's way of
  sending an empty object (for ``/api/users`` it reads as "no members").

Every request that reaches the app is appended to ``requests``, faults or not.
Raw records in ``extra_member_records`` are appended to ``/api/users`` as they
are, to send records a client has to skip.

Run it for ``scripts/develop``: ``python -m tests.simulators.divera --port 8124
--seed realistic``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web

SYSTEM_KEY: Final = "SYSTEM-KEY-SECRET-0001"
FAULT_KINDS: Final = frozenset(
    {"timeout", "500", "401", "403", "429", "malformed", "success_false", "empty_list"}
)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class SimMember:
    """A member of the simulated unit."""

    user_id: int
    user_cluster_relation_id: int
    cluster_id: int
    status_id: int
    firstname: str
    lastname: str
    foreign_id: str | None
    access_key: str

    @property
    def fullname(self) -> str:
        """Return "Firstname Lastname"."""
        return f"{self.firstname} {self.lastname}".strip()


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the simulator received it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any | None


@dataclass(slots=True)
class DiveraSimulator:
    """State of the simulated DIVERA unit; ``app()`` serves it."""

    cluster_id: int = 4711
    cluster_name: str = "Feuerwehr Musterstadt"
    statuses: dict[int, dict[str, Any]] = field(default_factory=dict)
    statussorting: list[int] = field(default_factory=list)
    members: dict[int, SimMember] = field(default_factory=dict)
    system_keys: set[str] = field(default_factory=lambda: {SYSTEM_KEY})
    system_key_may_pull: bool = False
    timeout_delay: float = 60
    refusal: dict[str, Any] = field(
        default_factory=lambda: {"errors": {"error": ["Simulated failure"]}}
    )
    extra_member_records: list[Any] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: dict[str | None, str] = field(default_factory=dict)

    # -- seeds -----------------------------------------------------------

    @classmethod
    def small(cls) -> DiveraSimulator:
        """Return a unit with four statuses and three members."""
        sim = cls()
        sim.add_status(1, "Einsatzbereit", "#2ecc71")
        sim.add_status(2, "5 Minuten", "#f1c40f")
        sim.add_status(3, "10 Minuten", "#e67e22")
        sim.add_status(4, "Nicht einsatzbereit", "#e74c3c")
        sim.add_member(
            "Max", "Mustermann", user_id=101, user_cluster_relation_id=1001,
            foreign_id="0451A2B3C4", status_id=1, access_key="PERSONAL-KEY-MAX-0001",
        )  # fmt: skip
        sim.add_member(
            "Erika", "Musterfrau", user_id=102, user_cluster_relation_id=1002,
            foreign_id="0451D5E6F7", status_id=4, access_key="PERSONAL-KEY-ERIKA-0002",
        )  # fmt: skip
        sim.add_member(
            "Jonas", "Schmidt", user_id=103, user_cluster_relation_id=1003,
            foreign_id=None, status_id=2, access_key="PERSONAL-KEY-JONAS-0003",
        )  # fmt: skip
        return sim

    @classmethod
    def realistic(cls) -> DiveraSimulator:
        """Return the small unit grown to 25 members and six statuses."""
        sim = cls.small()
        sim.add_status(5, "Im Dienst", "#3498db")
        sim.add_status(6, "Urlaub", "#95a5a6")
        for index, (firstname, lastname) in enumerate(_MORE_NAMES):
            number = index + 4
            sim.add_member(
                firstname,
                lastname,
                user_id=100 + number,
                user_cluster_relation_id=1000 + number,
                # Every seventh member has no transponder yet.
                foreign_id=None if number % 7 == 0 else _rfid_uid(number),
                status_id=(1, 1, 2, 3, 4, 5, 6, 1)[number % 8],
                access_key=f"PERSONAL-KEY-{100 + number:04d}",
            )
        return sim

    # -- state helpers ---------------------------------------------------

    def add_status(self, status_id: int, name: str, color_hex: str) -> None:
        """Add a status at the end of the unit's sorting."""
        self.statuses[status_id] = {"id": status_id, "name": name, "color_hex": color_hex}
        if status_id not in self.statussorting:
            self.statussorting.append(status_id)

    def add_member(
        self,
        firstname: str,
        lastname: str,
        *,
        user_id: int | None = None,
        user_cluster_relation_id: int | None = None,
        foreign_id: str | None = None,
        status_id: int = 1,
        access_key: str | None = None,
    ) -> SimMember:
        """Add a member; ids and personal key are made up when not given."""
        if user_id is None:
            user_id = max(self.members, default=100) + 1
        member = SimMember(
            user_id=user_id,
            user_cluster_relation_id=user_cluster_relation_id or user_id + 900,
            cluster_id=self.cluster_id,
            status_id=status_id,
            firstname=firstname,
            lastname=lastname,
            foreign_id=foreign_id,
            access_key=access_key or f"PERSONAL-KEY-{user_id:04d}",
        )
        self.members[user_id] = member
        return member

    def remove_member(self, user_id: int) -> None:
        """Remove a member (their personal key stops working)."""
        del self.members[user_id]

    def set_member_status(self, user_id: int, status_id: int) -> None:
        """Change a member's status as if they had pressed a button in the app."""
        self.members[user_id].status_id = status_id

    def member_by_foreign_id(self, foreign_id: str) -> SimMember | None:
        """Return the member with exactly this foreign id."""
        return next(
            (m for m in self.members.values() if m.foreign_id and m.foreign_id == foreign_id),
            None,
        )

    def personal_key(self, user_id: int) -> str:
        """Return a member's personal access key."""
        return self.members[user_id].access_key

    def set_fault(self, kind: str, path: str | None = None) -> None:
        """Make ``path`` (or every endpoint) misbehave; see the module docstring."""
        if kind not in FAULT_KINDS:
            msg = f"unknown fault {kind!r}, expected one of {sorted(FAULT_KINDS)}"
            raise ValueError(msg)
        self.faults[path] = kind

    def clear_faults(self) -> None:
        """Answer normally again."""
        self.faults.clear()

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Return the recorded requests to one path."""
        return [request for request in self.requests if request.path == path]

    # -- the app ---------------------------------------------------------

    def app(self) -> web.Application:
        """Return an aiohttp application serving this state."""
        app = web.Application(middlewares=[self._record, self._apply_fault])
        app.router.add_get("/api/users", self._users)
        app.router.add_get("/api/v2/pull/all", self._pull_all)
        app.router.add_post("/api/setstatus", self._set_status)
        app.router.add_get("/api/setstatus", self._set_status, allow_head=False)
        app.router.add_post("/api/v2/statusgeber/set-status", self._set_own_status)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body: Any | None = None
        if request.can_read_body:
            try:
                body = json.loads(await request.read())
            except ValueError:
                body = None
        self.requests.append(
            RecordedRequest(request.method, request.path, dict(request.query), body)
        )
        return await handler(request)

    @web.middleware
    async def _apply_fault(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        kind = self.faults.get(request.path) or self.faults.get(None)
        if kind == "timeout":
            await asyncio.sleep(self.timeout_delay)
        elif kind is not None:
            return self._fault_response(kind)
        return await handler(request)

    def _fault_response(self, kind: str) -> web.Response:
        if kind == "malformed":
            return web.Response(text="<html><body>Wartungsarbeiten</body></html>")
        if kind == "success_false":
            return web.json_response({"success": False, **self.refusal})
        if kind == "empty_list":
            return web.json_response({"success": True, "data": []})
        if kind == "429":
            return web.json_response(
                {"success": False, "message": "Too Many Requests"},
                status=429,
                headers={"Retry-After": "60"},
            )
        if kind in ("401", "403"):
            return _denied(int(kind))
        return web.Response(status=int(kind), text="Internal Server Error")

    def _caller(self, request: web.Request) -> str | SimMember | None:
        """Return the system key used, the owner of a personal key, or None."""
        key = request.query.get("accesskey", "")
        if key in self.system_keys:
            return key
        return next((m for m in self.members.values() if m.access_key == key), None)

    async def _users(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return _denied(401)
        if isinstance(caller, SimMember):
            return _denied(403)
        return web.json_response({"success": True, "data": self._member_records()})

    async def _pull_all(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return _denied(401)
        data: dict[str, Any]
        if isinstance(caller, SimMember):
            data = {
                "user": {
                    "firstname": caller.firstname,
                    "lastname": caller.lastname,
                    "fullname": caller.fullname,
                },
                "status": {"status_id": caller.status_id},
                "ucr_active": caller.user_cluster_relation_id,
                "ucr_default": caller.user_cluster_relation_id,
            }
        elif self.system_key_may_pull:
            data = {"user": [], "status": [], "ucr_active": 0, "ucr_default": 0}
        else:
            return _denied(403)
        data["cluster"] = self._cluster_record()
        return web.json_response({"success": True, "data": data})

    async def _set_status(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return _denied(401)
        if isinstance(caller, SimMember):
            return _denied(403)
        member = self.member_by_foreign_id(request.query.get("person", ""))
        if member is None:
            return _refused({"person": ["Person nicht gefunden."]})
        status_id = _int_or_none(request.query.get("Status[id]"))
        if status_id is None or status_id not in self.statuses:
            return _refused({"status": ["Status ungültig."]})
        member.status_id = status_id
        return web.json_response({"success": True, "data": []})

    async def _set_own_status(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return _denied(401)
        if not isinstance(caller, SimMember):
            return _denied(403)
        try:
            body = await request.json()
        except ValueError:
            body = None
        status = body.get("Status") if isinstance(body, dict) else None
        status_id = _int_or_none(status.get("id")) if isinstance(status, dict) else None
        if status_id is None or status_id not in self.statuses:
            return _refused({"Status": {"id": ["Status ungültig."]}})
        caller.status_id = status_id
        return web.json_response({"success": True, "data": {"status_id": status_id}})

    def _member_records(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for index, member in enumerate(sorted(self.members.values(), key=_by_user_id)):
            as_text = index % 2 == 1  # DIVERA sends some numbers as strings.
            records.append(
                {
                    "user_id": str(member.user_id) if as_text else member.user_id,
                    "user_cluster_relation_id": member.user_cluster_relation_id,
                    "cluster_id": member.cluster_id,
                    "status_id": str(member.status_id) if as_text else member.status_id,
                    "firstname": member.firstname,
                    "lastname": member.lastname,
                    "foreign_id": member.foreign_id or "",
                    "email": "",
                    "qualifications": [],
                }
            )
        return records + self.extra_member_records

    def _cluster_record(self) -> dict[str, Any]:
        statuses = {str(status_id): dict(s) for status_id, s in self.statuses.items()}
        return {
            "id": str(self.cluster_id),
            "name": self.cluster_name,
            "status": statuses or [],
            "statussorting": list(self.statussorting) or [],
        }


def _rfid_uid(number: int) -> str:
    """Return a stable 7-byte UID in the style of a MIFARE transponder."""
    return f"04{(number * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012X}"


def _by_user_id(member: SimMember) -> int:
    return member.user_id


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _denied(status: int) -> web.Response:
    message = "Unauthorized" if status == 401 else "Forbidden"
    return web.json_response({"success": False, "message": message}, status=status)


def _refused(errors: dict[str, Any]) -> web.Response:
    return web.json_response({"success": False, "errors": errors})


async def start_simulator(
    sim: DiveraSimulator, host: str = "127.0.0.1", port: int = 0
) -> tuple[web.AppRunner, str]:
    """Serve ``sim`` and return the runner (call ``cleanup()``) and the base URL."""
    runner = web.AppRunner(
        sim.app(),
        access_log=None,  # The access log would show the keys in the query.
        handler_cancellation=True,  # A client giving up ends a "timeout" fault.
        shutdown_timeout=1,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    return runner, f"http://{host}:{bound_port}"


_MORE_NAMES: Final = (
    ("Anna", "Müller"),
    ("Lukas", "Schneider"),
    ("Sophie", "Fischer"),
    ("Felix", "Weber"),
    ("Marie", "Meyer"),
    ("Paul", "Wagner"),
    ("Laura", "Becker"),
    ("Tim", "Schulz"),
    ("Lea", "Hoffmann"),
    ("Jan", "Schäfer"),
    ("Hannah", "Koch"),
    ("Niklas", "Bauer"),
    ("Lena", "Richter"),
    ("Moritz", "Klein"),
    ("Julia", "Wolf"),
    ("Stefan", "Schröder"),
    ("Katrin", "Neumann"),
    ("Thomas", "Schwarz"),
    ("Sabine", "Zimmermann"),
    ("Michael", "Braun"),
    ("Andrea", "Krüger"),
    ("Florian", "Hofmann"),
)


async def _serve(sim: DiveraSimulator, host: str, port: int) -> None:
    runner, base_url = await start_simulator(sim, host, port)
    print(f"DIVERA simulator on {base_url}")  # noqa: T201
    print(f"  system key: {', '.join(sorted(sim.system_keys))}")  # noqa: T201
    for member in sorted(sim.members.values(), key=_by_user_id):
        print(  # noqa: T201
            f"  {member.fullname:<22} foreign id {member.foreign_id or '-':<16}"
            f" personal key {member.access_key}"
        )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """Serve a seeded simulator until interrupted."""
    parser = argparse.ArgumentParser(description="Serve a simulated DIVERA 24/7 unit.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--seed", choices=("small", "realistic"), default="realistic")
    parser.add_argument(
        "--system-key-may-pull",
        action="store_true",
        help="let the system key read /api/v2/pull/all (DIVERA often refuses it)",
    )
    args = parser.parse_args()
    sim = DiveraSimulator.realistic() if args.seed == "realistic" else DiveraSimulator.small()
    sim.system_key_may_pull = args.system_key_may_pull
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(sim, args.host, args.port))


if __name__ == "__main__":
    main()
