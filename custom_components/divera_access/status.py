"""Looking up DIVERA statuses by id or by the names people say and type."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from .api import DiveraStatus

_NUMBER_WORDS = {
    "fünf": "5",
    "fuenf": "5",
    "five": "5",
    "zehn": "10",
    "ten": "10",
    "fünfzehn": "15",
    "fifteen": "15",
    "zwanzig": "20",
    "twenty": "20",
}
_MINUTE_WORDS = {"min", "min.", "minute", "minuten", "minutes", "mins"}
_NUMBER_THEN_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])")


def normalize_status_name(text: str) -> str:
    """Fold a status name the way people say and type it.

    'Nicht-Einsatzbereit' matches 'nicht einsatzbereit', and '5 min', '5min' or
    'fünf Minuten' match '5 Minuten'.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    folded = _NUMBER_THEN_LETTER.sub(" ", folded)
    words = re.split(r"[\s\-_/.,!?]+", folded)
    out: list[str] = []
    for word in words:
        if not word:
            continue
        canonical = "minuten" if word in _MINUTE_WORDS else word
        out.append(_NUMBER_WORDS.get(canonical, canonical))
    return " ".join(out)


class StatusCatalog:
    """The statuses of a unit in DIVERA's order."""

    def __init__(self, statuses: Sequence[DiveraStatus]) -> None:
        """Index the statuses by id and by folded name."""
        self.statuses = tuple(statuses)
        self._by_id = {status.id: status for status in self.statuses}
        self._by_name = {normalize_status_name(status.name): status for status in self.statuses}

    def __iter__(self) -> Iterator[DiveraStatus]:
        """Iterate in DIVERA's order."""
        return iter(self.statuses)

    def __bool__(self) -> bool:
        """Whether the names of the statuses are known."""
        return bool(self.statuses)

    def get(self, status_id: int) -> DiveraStatus | None:
        """The status with this id, if known."""
        return self._by_id.get(status_id)

    def label(self, status_id: int) -> str:
        """The status name, or its id where names are unavailable."""
        status = self._by_id.get(status_id)
        return status.name if status else str(status_id)

    @property
    def names(self) -> list[str]:
        """Status names in DIVERA's order."""
        return [status.name for status in self.statuses]

    def find_name(self, text: str) -> DiveraStatus | None:
        """The status whose name matches the text, case- and spelling-tolerant."""
        return self._by_name.get(normalize_status_name(text))

    def resolve(self, value: str | int) -> int | None:
        """A status id from an id or a name; None when the unit has no such status.

        Without known status names, any positive id is accepted: DIVERA itself
        is then the only judge.
        """
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            status_id = int(value)
            if not self.statuses:
                return status_id if status_id > 0 else None
            if status_id in self._by_id:
                return status_id
            # A status named like a number ("5") beats nothing.
        status = self.find_name(str(value))
        return status.id if status else None
