"""Exceptions raised by the DIVERA Access API clients.

Messages never contain access keys, passwords, session ids or URLs with
query strings: they are safe to log and to show.
"""

from __future__ import annotations


class DiveraAccessApiError(Exception):
    """Base class of every error a client raises."""


class ApiAuthError(DiveraAccessApiError):
    """The credentials were not accepted (HTTP 401/403 or an auth error code)."""


class ApiConnectionError(DiveraAccessApiError):
    """The server could not be reached or did not answer in time."""


class ApiRateLimitError(DiveraAccessApiError):
    """The server asked us to slow down (HTTP 429)."""


class ApiResponseError(DiveraAccessApiError):
    """The server answered with something we cannot use."""


class ApiRefusedError(DiveraAccessApiError):
    """The server understood the request and refused it with a message of its own."""

    def __init__(self, message: str, code: str | None = None) -> None:
        """Keep the server's own message and code for the user."""
        super().__init__(message)
        self.server_message = message
        self.code = code


class ApiCertificateError(ApiConnectionError):
    """The server's TLS certificate is not the one that was trusted at setup."""
