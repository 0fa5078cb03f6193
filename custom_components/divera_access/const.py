"""Constants of the DIVERA Access integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "divera_access"

CONF_ACCESSKEY: Final = "accesskey"
CONF_BASE_URL: Final = "base_url"
CONF_SYSTEM: Final = "system"
CONF_FINGERPRINT: Final = "fingerprint"

SYSTEM_DIVERA: Final = "divera"
SYSTEM_DIVERA_PERSONAL: Final = "divera_personal"
SYSTEM_BIOSTAR: Final = "biostar"

# Options of a DIVERA unit
CONF_TAG_STATUS: Final = "tag_status"
CONF_TAG_SECOND_STATUS: Final = "tag_second_status"
CONF_USER_LINKS: Final = "user_links"
# Options of a BioStar server
CONF_ARRIVAL_GROUPS: Final = "arrival_access_groups"

DIVERA_SCAN_INTERVAL: Final = timedelta(seconds=30)
DIVERA_UNIT_REFRESH: Final = timedelta(hours=1)
BIOSTAR_SCAN_INTERVAL: Final = timedelta(seconds=60)
TAG_DEBOUNCE: Final = timedelta(seconds=3)

EVENT_STATUS_SET: Final = "divera_access_status_set"

SOURCE_ACTION: Final = "action"
SOURCE_TAG: Final = "tag"
SOURCE_VOICE: Final = "voice"
SOURCE_DASHBOARD: Final = "dashboard"
