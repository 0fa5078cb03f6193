"""Status names as people say and type them: normalisation and lookup by id or name."""

from __future__ import annotations

import pytest

from custom_components.divera_access.api import DiveraStatus
from custom_components.divera_access.status import StatusCatalog, normalize_status_name

STATUSES = (
    DiveraStatus(1, "Einsatzbereit", "#2ecc71"),
    DiveraStatus(2, "5 Minuten", "#f1c40f"),
    DiveraStatus(3, "10 Minuten", "#e67e22"),
    DiveraStatus(4, "Nicht einsatzbereit", "#e74c3c"),
)


@pytest.fixture(autouse=True)
def _no_secrets(secrets_never_logged: None) -> None:
    """Nothing here talks to a server, but keep the promise of every module."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Einsatzbereit", "einsatzbereit"),
        ("  EINSATZBEREIT ", "einsatzbereit"),
        ("Nicht einsatzbereit", "nicht einsatzbereit"),
        ("Nicht-Einsatzbereit", "nicht einsatzbereit"),
        ("nicht_einsatzbereit", "nicht einsatzbereit"),
        ("Nicht   Einsatzbereit!", "nicht einsatzbereit"),
        ("5 Minuten", "5 minuten"),
        ("5 min", "5 minuten"),
        ("5 Min.", "5 minuten"),
        ("5 mins", "5 minuten"),
        ("5min", "5 minuten"),
        ("10Min.", "10 minuten"),
        ("5 minutes", "5 minuten"),
        ("fünf Minuten", "5 minuten"),
        ("Fünf Minuten", "5 minuten"),
        ("fuenf minuten", "5 minuten"),
        ("five minutes", "5 minuten"),
        ("zehn Minuten", "10 minuten"),
        ("ten min", "10 minuten"),
        ("10-Minuten", "10 minuten"),
        ("\uff11\uff10 Minuten", "10 minuten"),  # full-width digits fold to ASCII
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_normalize_status_name(text: str, expected: str) -> None:
    assert normalize_status_name(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (4, 4),
        ("2", 2),
        (" 3 ", 3),
        ("Einsatzbereit", 1),
        ("einsatzbereit", 1),
        ("EINSATZBEREIT", 1),
        ("nicht einsatzbereit", 4),
        ("Nicht-Einsatzbereit", 4),
        ("5 Minuten", 2),
        ("5 min", 2),
        ("fünf Minuten", 2),
        ("five minutes", 2),
        ("10 min", 3),
        ("10min", 3),
        ("Zehn Minuten", 3),
        ("Urlaub", None),
        ("", None),
        ("15 Minuten", None),
        (9, None),
        ("9", None),
        (0, None),
    ],
)
def test_resolve_with_known_names(value: str | int, expected: int | None) -> None:
    assert StatusCatalog(STATUSES).resolve(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("7", 7), (" 12 ", 12), (0, None), ("0", None), ("Einsatzbereit", None), ("", None)],
)
def test_resolve_without_known_names_accepts_ids(value: str | int, expected: int | None) -> None:
    """Where the unit keeps its status names to itself, DIVERA judges the id."""
    assert StatusCatalog(()).resolve(value) == expected


def test_a_status_named_like_a_number() -> None:
    """An id wins; a name that is a number is still found when no id matches."""
    catalog = StatusCatalog((DiveraStatus(1, "2", None), DiveraStatus(2, "Einsatzbereit", None)))
    assert catalog.resolve("2") == 2
    catalog = StatusCatalog((DiveraStatus(7, "3", None),))
    assert catalog.resolve("3") == 7


def test_catalog_lookup_and_labels() -> None:
    catalog = StatusCatalog(STATUSES)
    assert bool(catalog)
    assert not StatusCatalog(())
    assert [status.id for status in catalog] == [1, 2, 3, 4]
    assert catalog.names == ["Einsatzbereit", "5 Minuten", "10 Minuten", "Nicht einsatzbereit"]
    assert catalog.get(2) == STATUSES[1]
    assert catalog.get(9) is None
    assert catalog.label(4) == "Nicht einsatzbereit"
    assert catalog.label(9) == "9"
    assert StatusCatalog(()).label(1) == "1"
    assert catalog.find_name("fünf minuten") == STATUSES[1]
    assert catalog.find_name("bald da") is None
