"""Assist: "wer ist einsatzbereit?", "setze Max Mustermann auf einsatzbereit", "set my status to …".

Home Assistant's own conversation agent reads intents only from its bundled
sentences and the user's files, but sentence triggers registered with its agent
manager run first. Each unit registers its sentences there, with the real member
and status names written in (a list slot would act as a wildcard and swallow
built-in questions), and registers them again when those names change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .api import DiveraMember, DiveraStatus
from .const import CONF_SYSTEM, CONF_USER_LINKS, DOMAIN, SOURCE_VOICE, SYSTEM_DIVERA_PERSONAL
from .coordinator import (
    DiveraAccessConfigEntry,
    DiveraCoordinator,
    DiveraPersonalCoordinator,
    StatusChange,
)
from .status import StatusCatalog, normalize_status_name

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationInput

_LOGGER = logging.getLogger(__package__)

# English words for the usual German status names, so "who is available" works.
_ENGLISH = {
    "einsatzbereit": ["available", "ready"],
    "nicht einsatzbereit": ["not available", "unavailable", "not ready"],
    "bedingt einsatzbereit": ["partly available"],
    "im dienst": ["on duty"],
    "urlaub": ["on vacation", "on holiday"],
    "krank": ["sick", "ill"],
    "abwesend": ["away", "absent"],
}
_NUMBER_WORDS = {
    "5": ["fünf", "five"],
    "10": ["zehn", "ten"],
    "15": ["fünfzehn", "fifteen"],
    "20": ["zwanzig", "twenty"],
    "30": ["dreißig", "thirty"],
}
_TEMPLATE_SPECIALS = re.compile(r"[()\[\]{}<>|;:,.!?\"]")


def _template_text(text: str) -> str:
    """Text fit to stand literally in a hassil template."""
    return " ".join(_TEMPLATE_SPECIALS.sub(" ", text).split()).casefold()


def status_phrases(status: DiveraStatus) -> list[str]:
    """The ways people say a status: its name, English words, spelled-out minutes."""
    name = _template_text(status.name)
    phrases = [name] if name else []
    folded = normalize_status_name(status.name)
    phrases += _ENGLISH.get(folded, [])
    minutes = re.fullmatch(r"(\d+) minuten", folded)
    if minutes:
        number = minutes.group(1)
        phrases += [f"{number} minutes", f"{number} min"]
        for word in _NUMBER_WORDS.get(number, []):
            phrases += [f"{word} minuten", f"{word} minutes"]
    return list(dict.fromkeys(phrase for phrase in phrases if phrase))


def _alternatives(phrases: Iterable[str]) -> str:
    return "(" + "|".join(phrases) + ")"


def _fold_text(text: str) -> str:
    return f" {_template_text(text)} "


def _find_status(catalog: StatusCatalog, text: str) -> DiveraStatus | None:
    """The status whose longest phrase the text contains."""
    folded = _fold_text(text)
    best: tuple[int, DiveraStatus] | None = None
    for status in catalog:
        for phrase in status_phrases(status):
            if f" {phrase} " in folded and (best is None or len(phrase) > best[0]):
                best = (len(phrase), status)
    return best[1] if best else None


def _find_member(members: Iterable[DiveraMember], text: str) -> DiveraMember | None:
    folded = _fold_text(text)
    best: DiveraMember | None = None
    for member in members:
        name = _template_text(member.full_name)
        if name and f" {name} " in folded and (best is None or len(name) > len(best.full_name)):
            best = member
    return best


def _german(language: str | None) -> bool:
    return (language or "").casefold().startswith("de")


def _names(names: list[str], *, german: bool) -> str:
    if len(names) <= 1:
        return "".join(names)
    last = " und " if german else " and "
    return ", ".join(names[:-1]) + last + names[-1]


def answer_who(
    catalog: StatusCatalog, members: Iterable[DiveraMember], text: str, language: str
) -> str | None:
    """Count and names of the members in the status the question names."""
    status = _find_status(catalog, text)
    if status is None:
        return None
    names = sorted(m.full_name for m in members if m.status_id == status.id)
    german = _german(language)
    if not names:
        return f"Niemand ist {status.name}." if german else f"No one is {status.name}."
    if german:
        verb = "ist" if len(names) == 1 else "sind"
        return f"{len(names)} {verb} {status.name}: {_names(names, german=True)}."
    verb = "is" if len(names) == 1 else "are"
    return f"{len(names)} {verb} {status.name}: {_names(names, german=False)}."


@dataclass(frozen=True, slots=True)
class _Reply:
    german: bool

    def done(self, who: str, status: str) -> str:
        if self.german:
            return f"{who} ist jetzt {status}."
        return f"{who} is now {status}."

    def failed(self, err: HomeAssistantError) -> str:
        return f"Das ging nicht: {err}" if self.german else f"That did not work: {err}"

    def not_linked(self) -> str:
        if self.german:
            return "Dein Benutzer ist mit keinem DIVERA-Mitglied verknüpft."
        return "Your user is not linked to a DIVERA member."


class UnitSentences:
    """The sentences of one unit, registered as conversation triggers."""

    def __init__(self, hass: HomeAssistant, coordinator: DiveraCoordinator) -> None:
        """Start with nothing registered."""
        self.hass = hass
        self.coordinator = coordinator
        self._signature: tuple[Any, ...] | None = None
        self._unregister: list[Callable[[], None]] = []

    def _current_signature(self) -> tuple[Any, ...]:
        data = self.coordinator.data
        return (
            tuple(status.name for status in data.unit.statuses),
            tuple(sorted(member.full_name for member in data.members.values())),
        )

    @callback
    def async_refresh(self) -> None:
        """Register the sentences again when member or status names changed."""
        signature = self._current_signature()
        if signature == self._signature:
            return
        self.async_unregister()
        self._signature = signature
        self._register()

    @callback
    def async_unregister(self) -> None:
        """Remove the sentences of this unit."""
        for unregister in self._unregister:
            unregister()
        self._unregister = []
        self._signature = None

    def _register(self) -> None:
        try:
            from homeassistant.components.conversation.agent_manager import (  # noqa: PLC0415
                get_agent_manager,
            )
        except ImportError:  # pragma: no cover - conversation is part of core
            return
        manager = get_agent_manager(self.hass)
        data = self.coordinator.data
        catalog = data.catalog
        if not catalog:
            return
        statuses = _alternatives(phrase for status in catalog for phrase in status_phrases(status))
        who = [
            f"(wer|wer alles) ist [gerade|aktuell|jetzt] {statuses}",
            f"wie viele sind [gerade|aktuell|jetzt] {statuses}",
            f"(who is|who are) [currently|now] {statuses}",
            f"how many are [currently|now] {statuses}",
        ]
        own = [
            f"(setze|setz|stelle|stell) (meinen|mein) status auf {statuses}",
            f"ich bin {statuses}",
            f"set my status to {statuses}",
            f"i am {statuses}",
        ]
        self._unregister = [
            manager.register_trigger(who, self._async_who),
            manager.register_trigger(own, self._async_set_own),
        ]
        member_names = [_template_text(m.full_name) for m in data.members.values()]
        member_names = [name for name in member_names if name]
        if member_names:
            members = _alternatives(member_names)
            set_member = [
                f"(setze|setz|stelle|stell) {members} auf {statuses}",
                f"set {members} [status] to {statuses}",
            ]
            self._unregister.append(manager.register_trigger(set_member, self._async_set_member))

    async def _async_who(self, user_input: ConversationInput, result: Any) -> str | None:
        data = self.coordinator.data
        return answer_who(data.catalog, data.members.values(), user_input.text, user_input.language)

    async def _async_set(self, member: DiveraMember, user_input: ConversationInput) -> str | None:
        reply = _Reply(_german(user_input.language))
        status = _find_status(self.coordinator.data.catalog, user_input.text)
        if status is None:
            return None
        change = StatusChange(
            source=SOURCE_VOICE,
            device_id=user_input.device_id,
            user_id=user_input.context.user_id,
        )
        try:
            await self.coordinator.async_set_member_status(member, status.id, change)
        except HomeAssistantError as err:
            return reply.failed(err)
        return reply.done(member.full_name, status.name)

    async def _async_set_member(self, user_input: ConversationInput, result: Any) -> str | None:
        member = _find_member(self.coordinator.data.members.values(), user_input.text)
        if member is None:
            return None
        return await self._async_set(member, user_input)

    async def _async_set_own(self, user_input: ConversationInput, result: Any) -> str | None:
        links: dict[str, int] = self.coordinator.config_entry.options.get(CONF_USER_LINKS, {})
        ucr_id = links.get(user_input.context.user_id or "")
        member = self.coordinator.data.members.get(ucr_id) if ucr_id is not None else None
        if member is None:
            if _linked_anywhere(self.hass, user_input.context.user_id) or _personal_entry(
                self.hass
            ):
                return None  # another entry answers for this user
            return _Reply(_german(user_input.language)).not_linked()
        return await self._async_set(member, user_input)


def _linked_anywhere(hass: HomeAssistant, user_id: str | None) -> bool:
    """Whether a unit links this Home Assistant user to one of its members."""
    return user_id is not None and any(
        user_id in entry.options.get(CONF_USER_LINKS, {})
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    )


def _personal_entry(hass: HomeAssistant) -> DiveraAccessConfigEntry | None:
    entries = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
        and entry.data.get(CONF_SYSTEM) == SYSTEM_DIVERA_PERSONAL
    ]
    return entries[0] if len(entries) == 1 else None


@callback
def async_setup_unit_sentences(hass: HomeAssistant, entry: DiveraAccessConfigEntry) -> None:
    """Register a unit's sentences now and whenever its names change."""
    coordinator = entry.runtime_data
    if not isinstance(coordinator, DiveraCoordinator):
        return
    sentences = UnitSentences(hass, coordinator)
    sentences.async_refresh()
    entry.async_on_unload(coordinator.async_add_listener(sentences.async_refresh))
    entry.async_on_unload(sentences.async_unregister)


@callback
def async_setup_personal_sentences(hass: HomeAssistant, entry: DiveraAccessConfigEntry) -> None:
    """'set my status to …' for the owner of a member's own key."""
    coordinator = entry.runtime_data
    if not isinstance(coordinator, DiveraPersonalCoordinator) or not coordinator.catalog:
        return
    try:
        from homeassistant.components.conversation.agent_manager import (  # noqa: PLC0415
            get_agent_manager,
        )
    except ImportError:  # pragma: no cover - conversation is part of core
        return
    statuses = _alternatives(
        phrase for status in coordinator.catalog for phrase in status_phrases(status)
    )

    async def _async_set_own(user_input: ConversationInput, result: Any) -> str | None:
        if _linked_anywhere(hass, user_input.context.user_id):
            return None
        status = _find_status(coordinator.catalog, user_input.text)
        if status is None:
            return None
        reply = _Reply(_german(user_input.language))
        change = StatusChange(
            source=SOURCE_VOICE, device_id=user_input.device_id, user_id=user_input.context.user_id
        )
        try:
            await coordinator.async_set_own_status(status.id, change)
        except HomeAssistantError as err:
            return reply.failed(err)
        return reply.done(coordinator.data.full_name, status.name)

    entry.async_on_unload(
        get_agent_manager(hass).register_trigger(
            [
                f"(setze|setz|stelle|stell) (meinen|mein) status auf {statuses}",
                f"set my status to {statuses}",
            ],
            _async_set_own,
        )
    )
