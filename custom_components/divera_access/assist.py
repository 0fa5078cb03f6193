"""Assist sentences (filled in below)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback


@callback
def async_setup_assist(hass: HomeAssistant) -> None:
    """Register sentences."""
