"""Clients for the remote systems DIVERA Access talks to."""

from .biostar import (
    BiostarAccessGroup,
    BiostarCard,
    BiostarClient,
    BiostarUser,
    async_fetch_certificate_fingerprint,
    normalize_card_number,
    sha256_fingerprint,
)
from .divera import (
    DEFAULT_BASE_URL,
    MAX_FOREIGN_ID_LENGTH,
    DiveraClient,
    DiveraMember,
    DiveraPersonalInfo,
    DiveraStatus,
    DiveraUnit,
)
from .errors import (
    ApiAuthError,
    ApiCertificateError,
    ApiConnectionError,
    ApiRateLimitError,
    ApiRefusedError,
    ApiResponseError,
    DiveraAccessApiError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_FOREIGN_ID_LENGTH",
    "ApiAuthError",
    "ApiCertificateError",
    "ApiConnectionError",
    "ApiRateLimitError",
    "ApiRefusedError",
    "ApiResponseError",
    "BiostarAccessGroup",
    "BiostarCard",
    "BiostarClient",
    "BiostarUser",
    "DiveraAccessApiError",
    "DiveraClient",
    "DiveraMember",
    "DiveraPersonalInfo",
    "DiveraStatus",
    "DiveraUnit",
    "async_fetch_certificate_fingerprint",
    "normalize_card_number",
    "sha256_fingerprint",
]
