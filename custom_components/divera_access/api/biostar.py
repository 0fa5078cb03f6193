"""Client for the local API of a Suprema BioStar 2 server ("New Local API").

BioStar hands out a session id in the ``bs-session-id`` response header of
``POST /api/login``; every later call sends it back as a request header.
Sessions expire without notice: an HTTP 401 or ``Response.code`` "10" makes
the client log in once more (one login for all calls waiting on it) and
repeat the call once.

Every answer carries ``{"Response": {"code": "0", "message": "Success"}}``;
any other code is refused with BioStar's own message. A 5xx answer that
carries such a code and message is refused the same way (the message is the
most useful thing to show); a 5xx answer without it is an ``ApiResponseError``.

Two server bugs are worked around: a trailing ``/`` on an endpoint fails, and
so does the same id twice in one list, so every list is de-duplicated
(order kept) before it is sent.

The password and the session id never reach an exception, a log line or a
repr: errors are raised ``from None`` and server messages are scrubbed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import ssl
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from .errors import (
    ApiAuthError,
    ApiCertificateError,
    ApiConnectionError,
    ApiRateLimitError,
    ApiRefusedError,
    ApiResponseError,
    DiveraAccessApiError,
)

SESSION_HEADER: Final = "bs-session-id"
CODE_SUCCESS: Final = "0"
CODE_LOGIN_REQUIRED: Final = "10"

PATH_LOGIN: Final = "/api/login"
PATH_LOGOUT: Final = "/api/logout"
PATH_ACCESS_GROUPS: Final = "/api/access_groups"
PATH_USERS: Final = "/api/users"
PATH_CARDS: Final = "/api/cards"

DETAIL_CONCURRENCY: Final = 4
"""How many access group details are fetched at the same time."""

_LOGGER = logging.getLogger(__name__)
_REDACTED: Final = "**REDACTED**"
_SHA256_HEX_LENGTH: Final = 64


@dataclass(frozen=True, slots=True)
class BiostarAccessGroup:
    """An access group: who (users, user groups) may pass where (access levels)."""

    id: int
    name: str
    description: str
    user_ids: tuple[int, ...]
    user_group_ids: tuple[int, ...]
    user_groups: tuple[tuple[int, str], ...]
    access_level_ids: tuple[int, ...]
    floor_level_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BiostarUser:
    """A BioStar user (a person who may hold cards)."""

    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class BiostarCard:
    """A card (transponder) and the user it is assigned to, if any."""

    id: int
    card_id: str
    display_card_id: str
    user_id: int | None
    user_name: str | None

    def matches(self, card_number: str) -> bool:
        """Tell whether ``card_number`` names this card.

        Compares with ``card_id`` and ``display_card_id``, ignoring case,
        separators and leading zeros.
        """
        wanted = normalize_card_number(card_number)
        if not wanted:
            return False
        return wanted in {
            normalize_card_number(self.card_id),
            normalize_card_number(self.display_card_id),
        }


def normalize_card_number(card_number: str) -> str:
    """Return a card number upper-cased, without separators and leading zeros."""
    cleaned = "".join(char for char in card_number if char.isalnum()).upper()
    return cleaned.lstrip("0") or ("0" if cleaned else "")


def sha256_fingerprint(der_cert: bytes) -> str:
    """Return the SHA-256 fingerprint of a DER certificate as lowercase hex."""
    return hashlib.sha256(der_cert).hexdigest()


def normalize_fingerprint(fingerprint: str) -> str:
    """Return a SHA-256 fingerprint as lowercase hex without separators.

    Raises ValueError when it is not 32 bytes of hex.
    """
    cleaned = "".join(char for char in fingerprint if char not in ": \t").lower()
    if len(cleaned) != _SHA256_HEX_LENGTH or any(c not in "0123456789abcdef" for c in cleaned):
        raise ValueError("a SHA-256 fingerprint is 64 hex digits")
    return cleaned


def normalize_url(url: str) -> str:
    """Return the base URL without trailing slashes; ``https://`` when no scheme is given."""
    cleaned = url.strip()
    if "://" not in cleaned:
        cleaned = f"https://{cleaned}"
    parts = urlsplit(cleaned)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("the BioStar URL must be http:// or https:// with a host")
    return cleaned.rstrip("/")


async def async_fetch_certificate_fingerprint(
    url: str,
    *,
    timeout: float = 10,  # noqa: ASYNC109 - part of the interface callers use
) -> str:
    """Connect without verification and return the server certificate's fingerprint.

    Returns "" for an ``http://`` URL, which has no certificate. Raises
    ApiConnectionError when the server cannot be reached or sends no
    certificate.
    """
    parts = urlsplit(normalize_url(url))
    if parts.scheme == "http":
        return ""
    host = parts.hostname or ""
    port = parts.port or 443
    # No CA store: loading one reads files, which must not happen in the event loop,
    # and the certificate is only read here, not trusted.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        async with asyncio.timeout(timeout):
            _reader, writer = await asyncio.open_connection(
                host, port, ssl=context, server_hostname=host
            )
    except TimeoutError:
        raise ApiConnectionError(
            f"BioStar at {host}:{port} did not answer within {timeout:g} s"
        ) from None
    except OSError as err:
        raise ApiConnectionError(
            f"Cannot read the certificate of {host}:{port}: {type(err).__name__}"
        ) from None
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der_cert = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            _LOGGER.debug("Closing the certificate probe to %s:%s failed", host, port)
    if not der_cert:
        raise ApiConnectionError(f"{host}:{port} sent no TLS certificate")
    return sha256_fingerprint(der_cert)


class _SessionExpiredError(Exception):
    """BioStar wants a new login (HTTP 401 or code "10"); never leaves this module."""


@dataclass(frozen=True, slots=True)
class _Reply:
    """What came back from one HTTP exchange."""

    status: int
    body: dict[str, Any] | None
    session_id: str | None

    @property
    def code(self) -> str | None:
        """Return ``Response.code`` as a string, or None when there is none."""
        block = self.body.get("Response") if self.body is not None else None
        if not isinstance(block, Mapping) or block.get("code") is None:
            return None
        return str(block["code"]).strip()

    @property
    def message(self) -> str:
        """Return ``Response.message``, or "" when there is none."""
        block = self.body.get("Response") if self.body is not None else None
        if not isinstance(block, Mapping):
            return ""
        return str(block.get("message") or "").strip()


class BiostarClient:
    """Talk to one BioStar 2 server with one login session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        username: str,
        password: str,
        *,
        verify_ssl: bool = True,
        fingerprint: str | None = None,
        request_timeout: float = 15,
    ) -> None:
        """Remember how to reach the server; nothing is sent until the first call.

        With ``verify_ssl=False`` and a ``fingerprint`` (SHA-256 hex) only a
        certificate with that fingerprint is accepted; without a fingerprint
        any certificate is.
        """
        self._session = session
        self.url = normalize_url(url)
        self._username = username
        self._password = password
        self._request_timeout = request_timeout
        self._ssl: aiohttp.Fingerprint | bool
        if verify_ssl:
            self._ssl = True
        elif fingerprint:
            self._ssl = aiohttp.Fingerprint(bytes.fromhex(normalize_fingerprint(fingerprint)))
        else:
            self._ssl = False
        self._session_id: str | None = None
        self._login_lock = asyncio.Lock()

    def __repr__(self) -> str:
        """Name the server and the user, never the password or the session."""
        return f"BiostarClient(url={self.url!r}, username={self._username!r})"

    # -- public API ----------------------------------------------------------

    async def async_login(self) -> None:
        """Log in now (for example to check credentials in a config flow)."""
        async with self._login_lock:
            await self._login_locked()

    async def async_get_access_groups(self) -> list[BiostarAccessGroup]:
        """Return every access group with its members (one detail call per group)."""
        body = await self._request("GET", PATH_ACCESS_GROUPS)
        group_ids = _dedupe(
            _as_int(row.get("id"), "access group id")
            for row in _rows(body, "AccessGroupCollection")
        )
        limit = asyncio.Semaphore(DETAIL_CONCURRENCY)

        async def fetch(group_id: int) -> BiostarAccessGroup:
            async with limit:
                return await self.async_get_access_group(group_id)

        results = await asyncio.gather(
            *(fetch(group_id) for group_id in group_ids), return_exceptions=True
        )
        groups: list[BiostarAccessGroup] = []
        for result in results:
            if isinstance(result, BaseException):
                raise result
            groups.append(result)
        return groups

    async def async_get_access_group(self, group_id: int) -> BiostarAccessGroup:
        """Return one access group with its members."""
        body = await self._request("GET", f"{PATH_ACCESS_GROUPS}/{int(group_id)}")
        data = body.get("AccessGroup")
        if not isinstance(data, Mapping):
            raise ApiResponseError("BioStar sent an access group without its details")
        return _parse_access_group(data)

    async def async_create_access_group(
        self,
        name: str,
        *,
        description: str = "",
        users: Iterable[int] = (),
        user_groups: Iterable[int] = (),
        access_levels: Iterable[int] = (),
    ) -> int:
        """Create an access group and return its id."""
        group = {
            "name": name,
            "description": description,
            "users": _user_refs(users),
            "user_groups": _id_refs(user_groups),
            "access_levels": _id_refs(access_levels),
            "floor_levels": [],
        }
        body = await self._request("POST", PATH_ACCESS_GROUPS, json_body={"AccessGroup": group})
        if (new_id := _created_id(body)) is not None:
            return new_id
        _LOGGER.debug("BioStar returned no id for the new access group; looking it up by name")
        body = await self._request("GET", PATH_ACCESS_GROUPS)
        for row in _rows(body, "AccessGroupCollection"):
            if str(row.get("name") or "") == name:
                return _as_int(row.get("id"), "access group id")
        raise ApiResponseError(f"BioStar created access group {name!r} but does not list it")

    async def async_update_access_group(
        self,
        group_id: int,
        *,
        new_users: Iterable[int] = (),
        delete_users: Iterable[int] = (),
        user_groups: Iterable[int] | None = None,
        access_levels: Iterable[int] | None = None,
    ) -> None:
        """Add and remove members; replace user groups or access levels when given.

        ``new_users``/``delete_users`` are sent only when not empty.
        ``user_groups``/``access_levels`` of None leave the group's list as it
        is; any iterable (even an empty one) replaces the whole list. Nothing
        is sent when there is nothing to change.
        """
        to_add = _dedupe(int(user_id) for user_id in new_users)
        to_delete = _dedupe(int(user_id) for user_id in delete_users)
        if both := set(to_add) & set(to_delete):
            raise ValueError(f"users both added and deleted: {sorted(both)}")
        group: dict[str, Any] = {}
        if to_add:
            group["new_users"] = _user_refs(to_add)
        if to_delete:
            group["delete_users"] = _user_refs(to_delete)
        if user_groups is not None:
            group["user_groups"] = _id_refs(user_groups)
        if access_levels is not None:
            group["access_levels"] = _id_refs(access_levels)
        if not group:
            return
        await self._request(
            "PUT", f"{PATH_ACCESS_GROUPS}/{int(group_id)}", json_body={"AccessGroup": group}
        )

    async def async_delete_access_group(self, group_id: int) -> None:
        """Delete an access group."""
        await self._request("DELETE", f"{PATH_ACCESS_GROUPS}/{int(group_id)}")

    async def async_get_users(self) -> list[BiostarUser]:
        """Return every user; rows with an id that is not a number are skipped."""
        body = await self._request("GET", PATH_USERS, params={"limit": "0"})
        users: list[BiostarUser] = []
        for row in _rows(body, "UserCollection"):
            user_id = _opt_int(row.get("user_id"))
            if user_id is None:
                _LOGGER.debug("Skipping a BioStar user without a numeric id")
                continue
            users.append(BiostarUser(user_id=user_id, name=str(row.get("name") or "")))
        return users

    async def async_get_cards(self) -> list[BiostarCard]:
        """Return every card; find one by number with ``BiostarCard.matches``."""
        body = await self._request("GET", PATH_CARDS, params={"limit": "0"})
        cards: list[BiostarCard] = []
        for row in _rows(body, "CardCollection"):
            if (card := _parse_card(row)) is None:
                _LOGGER.debug("Skipping a BioStar card without a numeric id")
                continue
            cards.append(card)
        return cards

    async def async_close(self) -> None:
        """Log out if logged in; errors are ignored (the session expires anyway)."""
        async with self._login_lock:
            session_id, self._session_id = self._session_id, None
        if session_id is None:
            return
        try:
            await self._send("POST", PATH_LOGOUT, session_id=session_id)
        except DiveraAccessApiError:
            _LOGGER.debug("Logging out of BioStar at %s failed", self.url)

    # -- session handling ------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send one call with the session, logging in again once if it expired."""
        session_id = await self._current_session()
        try:
            return await self._call(method, path, session_id, json_body, params)
        except _SessionExpiredError:
            _LOGGER.debug("BioStar session expired during %s %s; logging in again", method, path)
        session_id = await self._renewed_session(stale=session_id)
        try:
            return await self._call(method, path, session_id, json_body, params)
        except _SessionExpiredError:
            raise ApiAuthError(
                f"BioStar asked for a login again right after logging in ({method} {path})"
            ) from None

    async def _call(
        self,
        method: str,
        path: str,
        session_id: str,
        json_body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        reply = await self._send(
            method, path, session_id=session_id, json_body=json_body, params=params
        )
        return self._checked(reply, method, path)

    async def _current_session(self) -> str:
        """Return the session id, logging in first if there is none."""
        async with self._login_lock:
            if self._session_id is None:
                return await self._login_locked()
            return self._session_id

    async def _renewed_session(self, *, stale: str) -> str:
        """Log in again unless another call already did since ``stale`` failed."""
        async with self._login_lock:
            if self._session_id is not None and self._session_id != stale:
                return self._session_id
            return await self._login_locked()

    async def _login_locked(self) -> str:
        """Log in and return the new session id; the caller holds ``_login_lock``."""
        self._session_id = None
        reply = await self._send(
            "POST",
            PATH_LOGIN,
            session_id=None,
            json_body={"User": {"login_id": self._username, "password": self._password}},
        )
        if reply.status == HTTPStatus.TOO_MANY_REQUESTS:
            raise ApiRateLimitError("BioStar asked to slow down (HTTP 429) at login")
        code = reply.code
        if reply.status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN} or (
            code is not None and code != CODE_SUCCESS
        ):
            reason = self._scrub(reply.message) or f"HTTP {reply.status}"
            raise ApiAuthError(f"BioStar refused the login of {self._username!r}: {reason}")
        if reply.status >= HTTPStatus.BAD_REQUEST or reply.body is None:
            raise ApiResponseError(f"BioStar answered the login with HTTP {reply.status}")
        if not reply.session_id:
            raise ApiResponseError("BioStar accepted the login but sent no session id")
        self._session_id = reply.session_id
        _LOGGER.debug("Logged in to BioStar at %s as %s", self.url, self._username)
        return reply.session_id

    # -- HTTP ------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        session_id: str | None,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> _Reply:
        """Do one HTTP exchange and map transport failures to our errors."""
        where = f"BioStar {method} {path}"
        headers = {SESSION_HEADER: session_id} if session_id else {}
        try:
            async with (
                asyncio.timeout(self._request_timeout),
                self._session.request(
                    method,
                    f"{self.url}{path}",
                    json=json_body,
                    params=params,
                    headers=headers,
                    ssl=self._ssl,
                ) as response,
            ):
                status = response.status
                raw = await response.read()
                new_session_id = response.headers.get(SESSION_HEADER)
        except aiohttp.ServerFingerprintMismatch:
            raise ApiCertificateError(
                f"{where} failed: the server's certificate is not the one trusted at setup"
            ) from None
        except aiohttp.ClientSSLError:  # includes ClientConnectorCertificateError
            raise ApiCertificateError(
                f"{where} failed: the server's certificate could not be verified"
            ) from None
        except TimeoutError:
            raise ApiConnectionError(
                f"{where} failed: no answer within {self._request_timeout:g} s"
            ) from None
        except (aiohttp.ClientError, OSError) as err:
            raise ApiConnectionError(f"{where} failed: {type(err).__name__}") from None
        _LOGGER.debug("%s answered HTTP %s", where, status)
        return _Reply(status=status, body=_json_object(raw), session_id=new_session_id)

    def _checked(self, reply: _Reply, method: str, path: str) -> dict[str, Any]:
        """Return the body of a successful reply or raise the matching error."""
        where = f"BioStar {method} {path}"
        code = reply.code
        if reply.status == HTTPStatus.UNAUTHORIZED or code == CODE_LOGIN_REQUIRED:
            raise _SessionExpiredError
        if reply.status == HTTPStatus.TOO_MANY_REQUESTS:
            raise ApiRateLimitError(f"{where}: BioStar asked to slow down (HTTP 429)")
        if code is not None and code != CODE_SUCCESS:
            message = self._scrub(reply.message) or f"BioStar error code {code}"
            raise ApiRefusedError(message, code)
        if reply.status == HTTPStatus.FORBIDDEN:
            raise ApiAuthError(f"{where}: the BioStar user may not do this (HTTP 403)")
        if reply.body is None:
            raise ApiResponseError(f"{where} answered HTTP {reply.status} without a JSON object")
        if reply.status >= HTTPStatus.BAD_REQUEST:
            raise ApiResponseError(f"{where} answered HTTP {reply.status}")
        if code is None:
            raise ApiResponseError(f"{where} answered without a Response code")
        return reply.body

    def _scrub(self, text: str) -> str:
        """Remove the password and the session id from a server message."""
        for secret in (self._password, self._session_id):
            if secret:
                text = text.replace(secret, _REDACTED)
        return text


# -- parsing --------------------------------------------------------------------


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _rows(body: Mapping[str, Any], collection: str) -> list[Mapping[str, Any]]:
    """Return the rows of ``XxxCollection``; a missing collection or rows list is empty."""
    block = body.get(collection)
    if block is None:
        return []
    if not isinstance(block, Mapping):
        raise ApiResponseError(f"BioStar sent {collection} in an unexpected shape")
    rows = block.get("rows")
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise ApiResponseError(f"BioStar sent {collection}.rows in an unexpected shape")
    return rows


def _opt_int(value: object) -> int | None:
    """Return an id sent as a number or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_int(value: object, what: str) -> int:
    if (number := _opt_int(value)) is None:
        raise ApiResponseError(f"BioStar sent a {what} that is not a number")
    return number


def _refs(value: object, key: str, what: str) -> list[Mapping[str, Any]]:
    """Return a list of ``{key: ...}`` objects; missing or null is empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiResponseError(f"BioStar sent the {what} list in an unexpected shape")
    return [item for item in value if isinstance(item, Mapping) and item.get(key) is not None]


def _parse_access_group(data: Mapping[str, Any]) -> BiostarAccessGroup:
    user_groups = _dedupe(
        (_as_int(item["id"], "user group id"), str(item.get("name") or ""))
        for item in _refs(data.get("user_groups"), "id", "user group")
    )
    return BiostarAccessGroup(
        id=_as_int(data.get("id"), "access group id"),
        name=str(data.get("name") or ""),
        description=str(data.get("description") or ""),
        user_ids=tuple(
            _dedupe(
                _as_int(item["user_id"], "user id")
                for item in _refs(data.get("users"), "user_id", "user")
            )
        ),
        user_group_ids=tuple(_dedupe(group_id for group_id, _name in user_groups)),
        user_groups=tuple(user_groups),
        access_level_ids=tuple(
            _dedupe(
                _as_int(item["id"], "access level id")
                for item in _refs(data.get("access_levels"), "id", "access level")
            )
        ),
        floor_level_ids=tuple(
            _dedupe(
                _as_int(item["id"], "floor level id")
                for item in _refs(data.get("floor_levels"), "id", "floor level")
            )
        ),
    )


def _parse_card(row: Mapping[str, Any]) -> BiostarCard | None:
    card_row_id = _opt_int(row.get("id"))
    if card_row_id is None:
        return None
    owner = row.get("user_id")
    user_id: int | None
    user_name: str | None = None
    if isinstance(owner, Mapping):
        user_id = _opt_int(owner.get("user_id"))
        user_name = str(owner.get("name") or "") or None
    else:
        user_id = _opt_int(owner)
    if not user_id:  # BioStar sends 0 or "" for a card nobody holds.
        user_id = user_name = None
    card_id = str(row.get("card_id") or "")
    return BiostarCard(
        id=card_row_id,
        card_id=card_id,
        display_card_id=str(row.get("display_card_id") or card_id),
        user_id=user_id,
        user_name=user_name,
    )


def _created_id(body: Mapping[str, Any]) -> int | None:
    """Return the id BioStar gave a new access group, if it said so."""
    group = body.get("AccessGroup")
    if isinstance(group, Mapping) and (new_id := _opt_int(group.get("id"))) is not None:
        return new_id
    collection = body.get("AccessGroupCollection")
    if isinstance(collection, Mapping):
        rows = collection.get("rows")
        if isinstance(rows, list) and rows and isinstance(rows[0], Mapping):
            return _opt_int(rows[0].get("id"))
    return None


def _dedupe[T: Hashable](items: Iterable[T]) -> list[T]:
    """Drop repeated items, keeping the first of each in order."""
    return list(dict.fromkeys(items))


def _user_refs(user_ids: Iterable[int]) -> list[dict[str, int]]:
    return [{"user_id": user_id} for user_id in _dedupe(int(user_id) for user_id in user_ids)]


def _id_refs(ids: Iterable[int]) -> list[dict[str, int]]:
    return [{"id": item_id} for item_id in _dedupe(int(item_id) for item_id in ids)]
