"""Client for the DIVERA 24/7 REST API.

The access key travels in the query string, so nothing here ever formats a
URL or an aiohttp exception into a message or a log line: errors name the
method and path only and are raised ``from None``.

DIVERA answers loosely: ``[]`` where an object is expected, numbers as
strings, and ``{"success": false, ...}`` with HTTP 200. Every answer is
parsed defensively.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp

from .errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiRateLimitError,
    ApiRefusedError,
    ApiResponseError,
)

DEFAULT_BASE_URL = "https://www.divera247.com"
MAX_FOREIGN_ID_LENGTH = 20

PATH_USERS = "/api/users"
PATH_PULL_ALL = "/api/v2/pull/all"
PATH_SET_STATUS = "/api/setstatus"
PATH_SET_OWN_STATUS = "/api/v2/statusgeber/set-status"

_LOGGER = logging.getLogger(__name__)
_REDACTED = "**REDACTED**"
_NOT_JSON = object()


@dataclass(frozen=True, slots=True)
class DiveraStatus:
    """A status a member of the unit can have."""

    id: int
    name: str
    color_hex: str | None


@dataclass(frozen=True, slots=True)
class DiveraMember:
    """A member of the unit as the system user sees it."""

    user_id: int
    user_cluster_relation_id: int
    cluster_id: int
    status_id: int
    firstname: str
    lastname: str
    foreign_id: str | None

    @property
    def full_name(self) -> str:
        """Return "Firstname Lastname", or the user id when both are empty."""
        return _join_name(self.firstname, self.lastname) or str(self.user_id)


@dataclass(frozen=True, slots=True)
class DiveraUnit:
    """The unit (cluster) and its statuses in display order."""

    cluster_id: int | None
    name: str | None
    statuses: tuple[DiveraStatus, ...]


@dataclass(frozen=True, slots=True)
class DiveraPersonalInfo:
    """What a member's personal access key tells about its owner."""

    user_cluster_relation_id: int
    cluster_id: int
    unit_name: str | None
    firstname: str
    lastname: str
    status_id: int
    statuses: tuple[DiveraStatus, ...]

    @property
    def full_name(self) -> str:
        """Return "Firstname Lastname", or the relation id when both are empty."""
        return _join_name(self.firstname, self.lastname) or str(self.user_cluster_relation_id)


class DiveraClient:
    """Talk to DIVERA 24/7 with one access key (system user or personal)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        access_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        request_timeout: float = 15,
    ) -> None:
        """Use the caller's session; the key is sent as ``accesskey`` query parameter."""
        self._session = session
        self._access_key = access_key
        self._base_url = base_url.strip().rstrip("/")
        self._request_timeout = request_timeout

    @property
    def base_url(self) -> str:
        """Return the base URL without a trailing slash."""
        return self._base_url

    async def async_get_members(self) -> list[DiveraMember]:
        """Return the unit's members; needs a system user's key.

        Records that cannot be parsed are skipped.
        """
        data = _as_mapping_or_list((await self._request("GET", PATH_USERS)).get("data"), PATH_USERS)
        records = data.values() if isinstance(data, Mapping) else data
        members: list[DiveraMember] = []
        for record in records:
            member = _parse_member(record)
            if member is None:
                _LOGGER.debug("Skipping a member record that cannot be parsed")
                continue
            members.append(member)
        return members

    async def async_get_unit(self) -> DiveraUnit:
        """Return the unit's name, id and statuses.

        System keys are often refused here (ApiAuthError); callers fall back.
        """
        data = await self._pull_all()
        cluster = _as_object(data.get("cluster"))
        return DiveraUnit(
            cluster_id=_as_int(cluster.get("id")),
            name=_as_str(cluster.get("name")) or None,
            statuses=_parse_statuses(cluster),
        )

    async def async_get_personal_info(self) -> DiveraPersonalInfo:
        """Return the key owner's membership; ApiAuthError if it is no personal key."""
        data = await self._pull_all()
        user = _as_object(data.get("user"))
        ucr_id = _as_int(data.get("ucr_active")) or _as_int(data.get("ucr_default"))
        if not user or not ucr_id:
            raise ApiAuthError(f"GET {PATH_PULL_ALL}: the access key is not a personal access key")
        cluster = _as_object(data.get("cluster"))
        cluster_id = _as_int(cluster.get("id"))
        if cluster_id is None:
            raise ApiResponseError(f"GET {PATH_PULL_ALL}: answer has no unit id")
        firstname = _as_str(user.get("firstname"))
        lastname = _as_str(user.get("lastname"))
        if not firstname and not lastname:
            firstname = _as_str(user.get("fullname"))
        return DiveraPersonalInfo(
            user_cluster_relation_id=ucr_id,
            cluster_id=cluster_id,
            unit_name=_as_str(cluster.get("name")) or None,
            firstname=firstname,
            lastname=lastname,
            status_id=_as_int(_as_object(data.get("status")).get("status_id")) or 0,
            statuses=_parse_statuses(cluster),
        )

    async def async_set_status(self, foreign_id: str, status_id: int) -> None:
        """Set a member's status by their foreign id; needs a system user's key.

        Raises ValueError for an empty foreign id or one longer than
        MAX_FOREIGN_ID_LENGTH: DIVERA cannot store it, so no member has it.
        """
        foreign_id = foreign_id.strip()
        if not foreign_id or len(foreign_id) > MAX_FOREIGN_ID_LENGTH:
            msg = f"foreign id must have 1 to {MAX_FOREIGN_ID_LENGTH} characters"
            raise ValueError(msg)
        await self._request(
            "POST",
            PATH_SET_STATUS,
            params={"person": foreign_id, "Status[id]": str(status_id)},
        )

    async def async_set_own_status(self, status_id: int) -> None:
        """Set the key owner's status; needs a personal key."""
        await self._request("POST", PATH_SET_OWN_STATUS, json_body={"Status": {"id": status_id}})

    async def _pull_all(self) -> Mapping[str, Any]:
        return _as_object(
            _as_mapping_or_list(
                (await self._request("GET", PATH_PULL_ALL)).get("data"), PATH_PULL_ALL
            )
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        """Send one request and return the answer's JSON object once success is true."""
        query = {**(params or {}), "accesskey": self._access_key}
        where = f"{method} {path}"
        answer: tuple[int, bytes] | None = None
        failure = ""
        try:
            answer = await self._send(method, path, query, json_body)
        except TimeoutError:
            failure = "timeout"
        except (aiohttp.ClientError, OSError) as err:
            failure = type(err).__name__  # str(err) may hold the URL with the key.
        if answer is None:
            # Raised outside the handler so not even __context__ holds the URL.
            raise ApiConnectionError(f"{where} failed: {failure}") from None
        status, body = answer
        _LOGGER.debug("%s answered HTTP %s", where, status)
        _raise_for_http_status(where, status)
        payload = _decode_json_object(where, body)
        if not _is_success(payload.get("success")):
            raise ApiRefusedError(self._scrub(_error_text(payload) or "DIVERA refused the request"))
        return payload

    async def _send(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        json_body: Mapping[str, Any] | None,
    ) -> tuple[int, bytes]:
        async with (
            asyncio.timeout(self._request_timeout),
            self._session.request(
                method, self._base_url + path, params=query, json=json_body
            ) as response,
        ):
            return response.status, await response.read()

    def _scrub(self, text: str) -> str:
        """Remove the access key should the server ever echo it."""
        if self._access_key:
            return text.replace(self._access_key, _REDACTED)
        return text


def _raise_for_http_status(where: str, status: int) -> None:
    if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        raise ApiAuthError(f"{where}: access key not accepted (HTTP {status})")
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        raise ApiRateLimitError(f"{where}: rate limit reached (HTTP 429)")
    if not HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        raise ApiResponseError(f"{where}: unexpected HTTP {status}")


def _decode_json_object(where: str, body: bytes) -> Mapping[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        payload = _NOT_JSON
    if payload is _NOT_JSON:
        raise ApiResponseError(f"{where}: answer is not JSON") from None
    if not isinstance(payload, Mapping):
        raise ApiResponseError(f"{where}: answer is not a JSON object")
    return payload


def _is_success(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return value is True or value == 1


def _error_text(payload: Mapping[str, Any]) -> str:
    """Flatten "errors" (dict, list or string) and "message" into one line."""
    parts: list[str] = []
    for part in _flatten_texts(
        (payload.get("errors"), payload.get("message"), payload.get("error"))
    ):
        if part not in parts:
            parts.append(part)
    return "; ".join(parts)


def _flatten_texts(value: object) -> Iterable[str]:
    if isinstance(value, str):
        if value.strip():
            yield value.strip()
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _flatten_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten_texts(item)


def _as_mapping_or_list(value: object, path: str) -> Mapping[str, Any] | list[Any]:
    if isinstance(value, Mapping | list):
        return value
    raise ApiResponseError(f"GET {path}: answer has no usable data")


def _as_object(value: object) -> Mapping[str, Any]:
    """Return value if it is an object; DIVERA sends [] (or nothing) for empty ones."""
    return value if isinstance(value, Mapping) else {}


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_str(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _join_name(firstname: str, lastname: str) -> str:
    return f"{firstname} {lastname}".strip()


def _normalise_color(value: object) -> str | None:
    color = _as_str(value)
    if not color:
        return None
    return color if color.startswith("#") else f"#{color}"


def _parse_member(record: object) -> DiveraMember | None:
    if not isinstance(record, Mapping):
        return None
    user_id = _as_int(record.get("user_id"))
    ucr_id = _as_int(record.get("user_cluster_relation_id"))
    if user_id is None or ucr_id is None:
        return None
    return DiveraMember(
        user_id=user_id,
        user_cluster_relation_id=ucr_id,
        cluster_id=_as_int(record.get("cluster_id")) or 0,
        status_id=_as_int(record.get("status_id")) or 0,
        firstname=_as_str(record.get("firstname")),
        lastname=_as_str(record.get("lastname")),
        foreign_id=_as_str(record.get("foreign_id")) or None,
    )


def _parse_statuses(cluster: Mapping[str, Any]) -> tuple[DiveraStatus, ...]:
    """Return the statuses ordered by statussorting, then the rest by id."""
    raw = cluster.get("status")
    records: Iterable[tuple[object, object]]
    if isinstance(raw, Mapping):
        records = raw.items()
    elif isinstance(raw, list):
        records = ((None, record) for record in raw)
    else:
        records = ()
    by_id: dict[int, DiveraStatus] = {}
    for key, record in records:
        status = _parse_status(key, record)
        if status is not None:
            by_id[status.id] = status
    sorting = cluster.get("statussorting")
    ordered: list[DiveraStatus] = []
    for raw_id in sorting if isinstance(sorting, list) else ():
        status_id = _as_int(raw_id)
        if status_id is not None and status_id in by_id:
            ordered.append(by_id.pop(status_id))
    ordered.extend(by_id[status_id] for status_id in sorted(by_id))
    return tuple(ordered)


def _parse_status(key: object, record: object) -> DiveraStatus | None:
    if not isinstance(record, Mapping):
        return None
    status_id = _as_int(record.get("id"))
    if status_id is None:
        status_id = _as_int(key)
    if status_id is None:
        return None
    return DiveraStatus(
        id=status_id,
        name=_as_str(record.get("name")) or str(status_id),
        color_hex=_normalise_color(record.get("color_hex")),
    )
