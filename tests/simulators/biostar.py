"""A stateful Suprema BioStar 2 simulator (aiohttp app, "New Local API").

Endpoints (every one but login needs the ``bs-session-id`` header):
- ``POST /api/login`` with ``{"User": {"login_id", "password"}}``: the session id
  comes back in the ``bs-session-id`` response header. Wrong credentials get
  HTTP 401 with code "20".
- ``POST /api/logout``: ends the session.
- ``GET /api/users``, ``/api/cards``, ``/api/user_groups``, ``/api/access_levels``:
  ``XxxCollection {"total", "rows"}``; ``limit=0`` (or none) means all, with
  ``offset``.
- ``GET``/``POST /api/access_groups``; ``GET``/``PUT``/``DELETE
  /api/access_groups/{id}``. ``PUT`` adds ``new_users``, removes
  ``delete_users``, and replaces ``users``, ``user_groups``, ``access_levels``
  and ``floor_levels`` when present; a field left out is left unchanged.

BioStar's habits are reproduced: every number in an answer is a string,
every answer carries ``{"Response": {"code", "message"}}``, a missing, unknown
or expired session gets HTTP 401 with code "10" ("Login required."), and a
trailing ``/`` gets HTTP 404 with code "1". Refusals (the same id twice in
one list, an unknown user, user group or access level, a duplicate or empty
group name, an unknown access group) get HTTP 400 (404 for an unknown
group) with code "1" and a message saying why; nothing is changed then.

Faults (``set_fault(kind, path=None, *, method=None, times=None)``; ``path=None``
means every endpoint, login included; ``times`` makes it fire that often):
- ``"timeout"``: sleep ``timeout_delay`` seconds, then answer normally.
- ``"500"``: HTTP 500 with a plain-text body.
- ``"malformed"``: HTTP 200 with a truncated JSON body.
- ``"error_code"``: HTTP 200 with ``Response.code`` ``fault_code`` ("1") and
  ``fault_message``.
- ``"401"``: HTTP 401 with code "10" (the sessions stay valid).
- ``"expire"``: end every session, then HTTP 401 with code "10".
- ``"429"``: HTTP 429.

Every request that reaches the app is appended to ``requests``, faults or not.
Odd shapes for parser tests: ``extra_rows[collection]`` is appended verbatim
to that collection's rows, and ``raw_access_groups[id]`` is sent verbatim as
the ``AccessGroup`` of ``GET /api/access_groups/{id}``.

Run it for ``scripts/develop``: ``python -m tests.simulators.biostar --port 8125
--seed realistic [--https]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import secrets
import ssl
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from aiohttp import web

DEFAULT_LOGIN: Final = "admin"
DEFAULT_PASSWORD: Final = "BioStar-Secret-Pw1"
SESSION_HEADER: Final = "bs-session-id"
FAULT_KINDS: Final = frozenset(
    {"timeout", "500", "malformed", "error_code", "401", "expire", "429"}
)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class SimCard:
    """A card; ``user_id`` None means nobody holds it."""

    id: int
    card_id: str
    display_card_id: str
    user_id: int | None


@dataclass(slots=True)
class SimAccessGroup:
    """An access group as BioStar stores it."""

    id: int
    name: str
    description: str = ""
    users: list[int] = field(default_factory=list)
    user_groups: list[int] = field(default_factory=list)
    access_levels: list[int] = field(default_factory=list)
    floor_levels: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the simulator received it.

    ``headers`` holds only ``bs-session-id`` and ``content-type`` when sent.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any | None

    @property
    def has_session(self) -> bool:
        """Tell whether the request carried a session header."""
        return SESSION_HEADER in self.headers


@dataclass(slots=True)
class _Fault:
    kind: str
    remaining: int | None


class _RefusedError(Exception):
    """A request BioStar answers with an error code and a message."""

    def __init__(self, message: str, *, status: int = 400, code: str = "1") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


@dataclass
class BiostarSimulator:
    """The state of one simulated BioStar 2 server."""

    users: dict[int, str] = field(default_factory=dict)
    cards: dict[int, SimCard] = field(default_factory=dict)
    user_groups: dict[int, str] = field(default_factory=dict)
    access_levels: dict[int, str] = field(default_factory=dict)
    access_groups: dict[int, SimAccessGroup] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=lambda: {DEFAULT_LOGIN: DEFAULT_PASSWORD})
    sessions: set[str] = field(default_factory=set)
    login_count: int = 0
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: dict[tuple[str | None, str | None], _Fault] = field(default_factory=dict)
    timeout_delay: float = 60
    fault_message: str = "Simulated BioStar failure."
    fault_code: str = "1"
    return_created_id: bool = True
    """When False, creating an access group answers without the new id."""
    extra_rows: dict[str, list[Any]] = field(default_factory=dict)
    raw_access_groups: dict[int, Any] = field(default_factory=dict)

    # -- seeds -----------------------------------------------------------

    @classmethod
    def small(cls) -> BiostarSimulator:
        """Return four users, three cards, two user groups, levels and access groups."""
        sim = cls()
        sim.users.update(
            {
                1750: "Max Mustermann",
                1751: "Erika Musterfrau",
                1752: "Jonas Schmidt",
                1753: "Lea Becker",
            }
        )
        sim.add_card("0451A2B3C4", 1750)
        sim.add_card("0451D5E6F7", 1751)
        sim.add_card("0999999999", None)
        sim.user_groups.update({10871: "Atemschutz", 10872: "Maschinisten"})
        sim.access_levels.update({53: "Haupttor", 54: "Fahrzeughalle"})
        sim.add_access_group(
            "Wache Tor", group_id=1, users=[1750], user_groups=[10871], access_levels=[53]
        )
        sim.add_access_group("Fahrzeughalle", group_id=2, user_groups=[10872], access_levels=[54])
        return sim

    @classmethod
    def realistic(cls) -> BiostarSimulator:
        """Return the small server grown to a 26-person fire station.

        The extra people are the DIVERA simulator's realistic unit, with the
        same transponder UIDs; everyone holds a card, also those DIVERA knows
        no transponder of.
        """
        sim = cls.small()
        sim.add_card("0452C0FFEE", 1752)
        sim.add_card("0453BEEF01", 1753)
        for index, name in enumerate(_MORE_NAMES):
            user_id = 1754 + index
            sim.users[user_id] = name
            sim.add_card(_rfid_uid(index + 4), user_id)
        sim.add_card("0998877665", None)
        sim.user_groups.update({10873: "Gruppenführer", 10874: "Jugendfeuerwehr"})
        sim.access_levels.update({55: "Umkleide", 56: "Lager", 57: "Funkraum"})
        sim.add_access_group(
            "Lager",
            group_id=3,
            description="Materiallager",
            users=[1752, 1760, 1761],
            user_groups=[10873],
            access_levels=[56],
        )
        sim.add_access_group("Funkraum", group_id=4, user_groups=[10873], access_levels=[57, 53])
        sim.add_access_group(
            "Einsatzbereit",
            group_id=5,
            description="Wird aus DIVERA-Status gepflegt",
            users=[1750, 1751, 1755, 1758],
            access_levels=[53, 54, 55],
        )
        return sim

    # -- state helpers ---------------------------------------------------

    def add_card(
        self, card_id: str, user_id: int | None, *, display_card_id: str | None = None
    ) -> SimCard:
        """Add a card; its display id is the decimal of a hex card id unless given."""
        if display_card_id is None:
            try:
                display_card_id = str(int(card_id, 16))
            except ValueError:
                display_card_id = card_id
        card = SimCard(
            id=max(self.cards, default=0) + 1,
            card_id=card_id,
            display_card_id=display_card_id,
            user_id=user_id,
        )
        self.cards[card.id] = card
        return card

    def add_access_group(
        self,
        name: str,
        *,
        group_id: int | None = None,
        description: str = "",
        users: Iterable[int] = (),
        user_groups: Iterable[int] = (),
        access_levels: Iterable[int] = (),
    ) -> SimAccessGroup:
        """Add an access group directly (no validation)."""
        if group_id is None:
            group_id = max(self.access_groups, default=0) + 1
        group = SimAccessGroup(
            id=group_id,
            name=name,
            description=description,
            users=list(users),
            user_groups=list(user_groups),
            access_levels=list(access_levels),
        )
        self.access_groups[group_id] = group
        return group

    def group_by_name(self, name: str) -> SimAccessGroup | None:
        """Return the access group with this name."""
        return next((g for g in self.access_groups.values() if g.name == name), None)

    def expire_sessions(self) -> None:
        """End every session without telling anyone, as BioStar does."""
        self.sessions.clear()

    def set_fault(
        self,
        kind: str,
        path: str | None = None,
        *,
        method: str | None = None,
        times: int | None = None,
    ) -> None:
        """Make ``path`` (or every endpoint) misbehave; see the module docstring."""
        if kind not in FAULT_KINDS:
            msg = f"unknown fault {kind!r}, expected one of {sorted(FAULT_KINDS)}"
            raise ValueError(msg)
        self.faults[path, method.upper() if method else None] = _Fault(kind, times)

    def clear_faults(self) -> None:
        """Answer normally again."""
        self.faults.clear()

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Return the recorded requests to one path (and method)."""
        return [
            request
            for request in self.requests
            if request.path == path and (method is None or request.method == method)
        ]

    # -- the app ---------------------------------------------------------

    def app(self) -> web.Application:
        """Return an aiohttp application serving this state."""
        app = web.Application(
            middlewares=[
                self._record,
                self._reject_trailing_slash,
                self._apply_fault,
                self._require_session,
                self._answer_refusals,
            ]
        )
        app.router.add_post("/api/login", self._login)
        app.router.add_post("/api/logout", self._logout)
        app.router.add_get("/api/users", self._list_users)
        app.router.add_get("/api/cards", self._list_cards)
        app.router.add_get("/api/user_groups", self._list_user_groups)
        app.router.add_get("/api/access_levels", self._list_access_levels)
        app.router.add_get("/api/access_groups", self._list_access_groups)
        app.router.add_post("/api/access_groups", self._create_access_group)
        app.router.add_get("/api/access_groups/{group_id}", self._get_access_group)
        app.router.add_put("/api/access_groups/{group_id}", self._update_access_group)
        app.router.add_delete("/api/access_groups/{group_id}", self._delete_access_group)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body: Any | None = None
        if request.can_read_body:
            try:
                body = json.loads(await request.read())
            except ValueError:
                body = None
        headers = {
            name: request.headers[name]
            for name in (SESSION_HEADER, "Content-Type")
            if name in request.headers
        }
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                dict(request.query),
                {name.lower(): value for name, value in headers.items()},
                body,
            )
        )
        return await handler(request)

    @web.middleware
    async def _reject_trailing_slash(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if request.path != "/" and request.path.endswith("/"):
            return _error(404, "1", f"Not found: {request.path}")
        return await handler(request)

    @web.middleware
    async def _apply_fault(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = self._active_fault(request.path, request.method)
        if fault is None:
            return await handler(request)
        if fault.remaining is not None:
            fault.remaining -= 1
        if fault.kind == "timeout":
            await asyncio.sleep(self.timeout_delay)
            return await handler(request)
        return self._fault_response(fault.kind)

    def _fault_response(self, kind: str) -> web.Response:
        match kind:
            case "500":
                return web.Response(status=500, text="500 Internal Server Error")
            case "malformed":
                return web.Response(
                    status=200,
                    text='{"Response": {"code": "0", "message": "Succ',
                    content_type="application/json",
                )
            case "error_code":
                return _error(200, self.fault_code, self.fault_message)
            case "401":
                return _error(401, "10", "Login required.")
            case "expire":
                self.expire_sessions()
                return _error(401, "10", "Login required.")
            case _:
                return web.Response(status=429, text="Too Many Requests")

    def _active_fault(self, path: str, method: str) -> _Fault | None:
        for key in ((path, method), (path, None), (None, method), (None, None)):
            fault = self.faults.get(key)
            if fault is None:
                continue
            if fault.remaining is not None and fault.remaining <= 0:
                del self.faults[key]
                continue
            return fault
        return None

    @web.middleware
    async def _require_session(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if (
            request.path != "/api/login"
            and request.headers.get(SESSION_HEADER) not in self.sessions
        ):
            return _error(401, "10", "Login required.")
        return await handler(request)

    @web.middleware
    async def _answer_refusals(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except _RefusedError as err:
            return _error(err.status, err.code, err.message)

    # -- session ---------------------------------------------------------

    async def _login(self, request: web.Request) -> web.Response:
        user = (await _json_body(request)).get("User")
        if not isinstance(user, dict):
            raise _RefusedError("User is required.")
        login_id = user.get("login_id")
        if not isinstance(login_id, str) or self.credentials.get(login_id) != user.get("password"):
            return _error(401, "20", "Login failed: wrong login id or password.")
        session_id = secrets.token_hex(16)
        self.sessions.add(session_id)
        self.login_count += 1
        response = _ok(User={"user_id": "1", "login_id": login_id, "name": "Administrator"})
        response.headers[SESSION_HEADER] = session_id
        return response

    async def _logout(self, request: web.Request) -> web.Response:
        self.sessions.discard(request.headers.get(SESSION_HEADER, ""))
        return _ok()

    # -- collections -----------------------------------------------------

    async def _list_users(self, request: web.Request) -> web.Response:
        rows = [
            {
                "user_id": str(user_id),
                "name": name,
                "user_group_id": {"id": "1", "name": "All Users"},
                "disabled": "false",
            }
            for user_id, name in sorted(self.users.items())
        ]
        return self._collection(request, "UserCollection", rows)

    async def _list_cards(self, request: web.Request) -> web.Response:
        rows: list[dict[str, Any]] = []
        for card in sorted(self.cards.values(), key=lambda c: c.id):
            row: dict[str, Any] = {
                "id": str(card.id),
                "card_id": card.card_id,
                "display_card_id": card.display_card_id,
                "card_type": {"id": "0", "name": "CSN", "type": "1"},
            }
            if card.user_id is not None:
                row["user_id"] = {
                    "user_id": str(card.user_id),
                    "name": self.users.get(card.user_id, ""),
                }
            rows.append(row)
        return self._collection(request, "CardCollection", rows)

    async def _list_user_groups(self, request: web.Request) -> web.Response:
        rows = [{"id": str(i), "name": name} for i, name in sorted(self.user_groups.items())]
        return self._collection(request, "UserGroupCollection", rows)

    async def _list_access_levels(self, request: web.Request) -> web.Response:
        rows = [{"id": str(i), "name": name} for i, name in sorted(self.access_levels.items())]
        return self._collection(request, "AccessLevelCollection", rows)

    # -- access groups ---------------------------------------------------

    async def _list_access_groups(self, request: web.Request) -> web.Response:
        rows = [
            {
                "id": str(group.id),
                "name": group.name,
                "description": group.description,
                "user_groups": self._named(group.user_groups, self.user_groups),
                "access_levels": self._named(group.access_levels, self.access_levels),
            }
            for group in sorted(self.access_groups.values(), key=lambda g: g.id)
        ]
        return self._collection(request, "AccessGroupCollection", rows)

    async def _get_access_group(self, request: web.Request) -> web.Response:
        group = self._group_from_path(request)
        if group.id in self.raw_access_groups:
            return _ok(AccessGroup=self.raw_access_groups[group.id])
        return _ok(
            AccessGroup={
                "id": str(group.id),
                "name": group.name,
                "description": group.description,
                "users": [
                    {"user_id": str(user_id), "name": self.users.get(user_id, "")}
                    for user_id in group.users
                ],
                "user_groups": self._named(group.user_groups, self.user_groups),
                "access_levels": self._named(group.access_levels, self.access_levels),
                "floor_levels": [{"id": str(i)} for i in group.floor_levels],
            }
        )

    async def _create_access_group(self, request: web.Request) -> web.Response:
        data = await _access_group_body(request)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _RefusedError("Access group name is required.")
        self._check_name_free(name, None)
        group = SimAccessGroup(
            id=max(self.access_groups, default=0) + 1,
            name=name,
            description=str(data.get("description") or ""),
            users=self._user_ids(data, "users"),
            user_groups=self._known_ids(data, "user_groups", self.user_groups, "User group"),
            access_levels=self._known_ids(
                data, "access_levels", self.access_levels, "Access level"
            ),
            floor_levels=self._known_ids(data, "floor_levels", {}, "Floor level"),
        )
        self.access_groups[group.id] = group
        if self.return_created_id:
            return _ok(AccessGroup={"id": str(group.id)})
        return _ok()

    async def _update_access_group(self, request: web.Request) -> web.Response:
        group = self._group_from_path(request)
        data = await _access_group_body(request)
        changes: dict[str, Any] = {}
        if "name" in data:
            name = data["name"]
            if not isinstance(name, str) or not name.strip():
                raise _RefusedError("Access group name is required.")
            self._check_name_free(name, group.id)
            changes["name"] = name
        if "description" in data:
            changes["description"] = str(data["description"] or "")
        for key, known, what in (
            ("user_groups", self.user_groups, "User group"),
            ("access_levels", self.access_levels, "Access level"),
            ("floor_levels", {}, "Floor level"),
        ):
            if key in data:
                changes[key] = self._known_ids(data, key, known, what)
        users = self._user_ids(data, "users") if "users" in data else list(group.users)
        added = self._user_ids(data, "new_users")
        deleted = self._user_ids(data, "delete_users")
        if both := set(added) & set(deleted):
            raise _RefusedError(f"User {min(both)} is both added and deleted.")
        users = [user_id for user_id in users if user_id not in deleted]
        users += [user_id for user_id in added if user_id not in users]
        for key, value in changes.items():
            setattr(group, key, value)
        group.users = users
        return _ok()

    async def _delete_access_group(self, request: web.Request) -> web.Response:
        group = self._group_from_path(request)
        del self.access_groups[group.id]
        return _ok()

    # -- validation ------------------------------------------------------

    def _group_from_path(self, request: web.Request) -> SimAccessGroup:
        raw = request.match_info["group_id"]
        group = self.access_groups.get(int(raw)) if raw.isdigit() else None
        if group is None:
            raise _RefusedError(f"Access group {raw} does not exist.", status=404)
        return group

    def _check_name_free(self, name: str, own_id: int | None) -> None:
        wanted = name.strip().casefold()
        for group in self.access_groups.values():
            if group.id != own_id and group.name.strip().casefold() == wanted:
                raise _RefusedError(f"Access group name '{name}' already exists.")

    def _user_ids(self, data: dict[str, Any], key: str) -> list[int]:
        ids = _id_list(data.get(key), "user_id", key)
        for user_id in ids:
            if user_id not in self.users:
                raise _RefusedError(f"User {user_id} does not exist.")
        return ids

    @staticmethod
    def _known_ids(data: dict[str, Any], key: str, known: dict[int, str], what: str) -> list[int]:
        ids = _id_list(data.get(key), "id", key)
        for item_id in ids:
            if item_id not in known:
                raise _RefusedError(f"{what} {item_id} does not exist.")
        return ids

    def _collection(
        self, request: web.Request, name: str, rows: list[dict[str, Any]]
    ) -> web.Response:
        """Answer a paged collection; ``limit=0`` or no limit means every row."""
        try:
            limit = int(request.query.get("limit", "0"))
            offset = int(request.query.get("offset", "0"))
        except ValueError:
            raise _RefusedError("limit and offset must be numbers.") from None
        every_row = [*rows, *self.extra_rows.get(name, [])]
        page = every_row[offset : offset + limit] if limit > 0 else every_row[offset:]
        return _ok(**{name: {"total": str(len(every_row)), "rows": page}})

    @staticmethod
    def _named(ids: list[int], names: dict[int, str]) -> list[dict[str, str]]:
        return [{"id": str(i), "name": names.get(i, "")} for i in ids]


# -- responses and bodies ----------------------------------------------------


def _ok(**payload: Any) -> web.Response:
    return web.json_response({**payload, "Response": {"code": "0", "message": "Success"}})


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"Response": {"code": code, "message": message}}, status=status)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise _RefusedError("The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise _RefusedError("The request body is not a JSON object.")
    return body


async def _access_group_body(request: web.Request) -> dict[str, Any]:
    data = (await _json_body(request)).get("AccessGroup")
    if not isinstance(data, dict):
        raise _RefusedError("AccessGroup is required.")
    return data


def _id_list(value: object, key: str, field_name: str) -> list[int]:
    """Parse ``[{key: id}, ...]``; the same id twice is refused, like BioStar does."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _RefusedError(f"{field_name} must be a list.")
    ids: list[int] = []
    for item in value:
        raw = item.get(key) if isinstance(item, dict) else None
        if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
            raise _RefusedError(f"{field_name} holds an entry without a valid {key}.")
        if int(raw) in ids:
            raise _RefusedError(f"Duplicate {key} {int(raw)} in {field_name}.")
        ids.append(int(raw))
    return ids


# -- TLS helpers -------------------------------------------------------------


def make_self_signed_cert(
    tmp_dir: str | Path, common_name: str = "biostar.local"
) -> tuple[Path, Path]:
    """Write a new self-signed certificate and key (PEM); return their paths.

    The certificate names ``common_name``, ``localhost`` and 127.0.0.1. Each
    call makes a new key, so two calls give two different fingerprints.
    """
    # Imported here: only the TLS tests and --https need it.
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(common_name),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    stem = f"{common_name}-{secrets.token_hex(4)}"
    certfile = Path(tmp_dir) / f"{stem}.crt"
    keyfile = Path(tmp_dir) / f"{stem}.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


def server_ssl_context(certfile: str | Path, keyfile: str | Path) -> ssl.SSLContext:
    """Return a server-side TLS context for the simulator."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context


def cert_fingerprint(certfile: str | Path) -> str:
    """Return the SHA-256 fingerprint (lowercase hex) of a PEM certificate file."""
    der = ssl.PEM_cert_to_DER_cert(Path(certfile).read_text(encoding="ascii"))
    return hashlib.sha256(der).hexdigest()


async def start_simulator(
    sim: BiostarSimulator,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[web.AppRunner, str]:
    """Serve ``sim`` and return the runner (call ``cleanup()``) and the base URL."""
    runner = web.AppRunner(
        sim.app(),
        access_log=None,
        handler_cancellation=True,  # A client giving up ends a "timeout" fault.
        shutdown_timeout=1,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    bound_port = runner.addresses[0][1]
    scheme = "https" if ssl_context is not None else "http"
    return runner, f"{scheme}://{host}:{bound_port}"


# -- seed data ---------------------------------------------------------------

_MORE_NAMES: Final = (
    "Anna Müller",
    "Lukas Schneider",
    "Sophie Fischer",
    "Felix Weber",
    "Marie Meyer",
    "Paul Wagner",
    "Laura Becker",
    "Tim Schulz",
    "Lea Hoffmann",
    "Jan Schäfer",
    "Hannah Koch",
    "Niklas Bauer",
    "Lena Richter",
    "Moritz Klein",
    "Julia Wolf",
    "Stefan Schröder",
    "Katrin Neumann",
    "Thomas Schwarz",
    "Sabine Zimmermann",
    "Michael Braun",
    "Andrea Krüger",
    "Florian Hofmann",
)


def _rfid_uid(number: int) -> str:
    """Return the 7-byte UID the DIVERA simulator gives member ``number``."""
    return f"04{(number * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012X}"


# -- command line ------------------------------------------------------------


async def _serve(sim: BiostarSimulator, host: str, port: int, *, https: bool) -> None:
    context: ssl.SSLContext | None = None
    fingerprint = ""
    if https:
        certfile, keyfile = make_self_signed_cert(tempfile.mkdtemp(prefix="biostar-sim-"))
        context = server_ssl_context(certfile, keyfile)
        fingerprint = cert_fingerprint(certfile)
    runner, base_url = await start_simulator(sim, host, port, context)
    print(f"BioStar 2 simulator on {base_url}")  # noqa: T201
    print(f"  login id: {DEFAULT_LOGIN}  password: {DEFAULT_PASSWORD}")  # noqa: T201
    if fingerprint:
        print(f"  certificate SHA-256: {fingerprint}")  # noqa: T201
    print(  # noqa: T201
        f"  {len(sim.users)} users, {len(sim.cards)} cards, {len(sim.access_groups)} access groups"
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """Serve a seeded simulator until interrupted."""
    parser = argparse.ArgumentParser(description="Serve a simulated Suprema BioStar 2 server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument("--seed", choices=("small", "realistic"), default="realistic")
    parser.add_argument(
        "--https", action="store_true", help="serve TLS with a fresh self-signed certificate"
    )
    args = parser.parse_args()
    sim = BiostarSimulator.realistic() if args.seed == "realistic" else BiostarSimulator.small()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(sim, args.host, args.port, https=args.https))


if __name__ == "__main__":
    main()
