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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import translation

from .api import DiveraMember, DiveraStatus
from .const import (
    CONF_SYSTEM,
    CONF_USER_LINKS,
    DOMAIN,
    SOURCE_VOICE,
    SYSTEM_DIVERA,
    SYSTEM_DIVERA_PERSONAL,
)
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
    "ausser dienst": ["off duty"],
}
_NUMBER_WORDS = {
    "5": ["fünf", "five"],
    "10": ["zehn", "ten"],
    "15": ["fünfzehn", "fifteen"],
    "20": ["zwanzig", "twenty"],
    "30": ["dreißig", "thirty"],
}
_TEMPLATE_SPECIALS = re.compile(r"[()\[\]{}<>|;:,.!?\"]")
_WORD = re.compile(r"\w+")


def _template_text(text: str) -> str:
    """Text fit to stand literally in a hassil template, keeping apostrophes and hyphens."""
    return " ".join(_TEMPLATE_SPECIALS.sub(" ", text).split()).lower()


def _spoken(text: str) -> list[str]:
    """The ways a name may stand in a template so that hassil matches what people type.

    Hassil compares lower-cased text: "weiß" does not match "weiss", and a template
    "anna-lena" does not match "anna lena" (while "anna lena" matches both).
    """
    lowered = text.lower()
    variants = [
        _template_text(lowered),
        " ".join(_WORD.findall(lowered)),
        _template_text(lowered.casefold()),
        " ".join(_WORD.findall(lowered.casefold())),
    ]
    return list(dict.fromkeys(variant for variant in variants if variant))


def _key(text: str) -> str:
    """Words only, case-folded, padded: how spoken text and names are compared."""
    return f" {' '.join(_WORD.findall(text.casefold()))} "


def status_phrases(status: DiveraStatus) -> list[str]:
    """The ways people say a status: its name, English words, spelled-out minutes."""
    phrases = _spoken(status.name)
    folded = normalize_status_name(status.name)
    phrases += _ENGLISH.get(folded, [])
    minutes = re.fullmatch(r"(\d+) minuten", folded)
    if minutes:
        number = minutes.group(1)
        phrases += [f"{number} minuten", f"{number} minutes", f"{number} min"]
        for word in _NUMBER_WORDS.get(number, []):
            phrases += [f"{word} minuten", f"{word} minutes"]
    return list(dict.fromkeys(phrase for phrase in phrases if phrase))


def _alternatives(phrases: Iterable[str]) -> str:
    return "(" + "|".join(dict.fromkeys(phrases)) + ")"


def _find_status(catalog: StatusCatalog, text: str) -> DiveraStatus | None:
    """The status whose longest phrase the text contains."""
    spoken = _key(text)
    best: tuple[int, DiveraStatus] | None = None
    for status in catalog:
        for phrase in status_phrases(status):
            key = _key(phrase)
            if key.strip() and key in spoken and (best is None or len(key) > best[0]):
                best = (len(key), status)
    return best[1] if best else None


def _find_member(members: Iterable[DiveraMember], text: str) -> DiveraMember | None:
    """The member whose (longest) name the text contains."""
    spoken = _key(text)
    best: tuple[int, DiveraMember] | None = None
    for member in members:
        key = _key(member.full_name)
        if key.strip() and key in spoken and (best is None or len(key) > best[0]):
            best = (len(key), member)
    return best[1] if best else None


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


def _who_sentences(statuses: str) -> list[str]:
    return [
        f"(wer|wer alles) ist [alles] [gerade|aktuell|jetzt] {statuses}",
        f"wie viele sind [gerade|aktuell|jetzt] {statuses}",
        f"(who is|who are) [currently|now] {statuses}",
        f"how many are [currently|now] {statuses}",
    ]


def _own_sentences(statuses: str) -> list[str]:
    return [
        f"(setze|setz|stelle|stell) (meinen|mein) status auf {statuses}",
        f"ich bin [jetzt] {statuses}",
        f"set my status to {statuses}",
        f"i am [now] {statuses}",
        f"i'm [now] {statuses}",
    ]


def _set_member_sentences(members: str, statuses: str) -> list[str]:
    return [
        f"(setze|setz|stelle|stell) {members} auf {statuses}",
        f"set {members} [status] to {statuses}",
    ]


@dataclass(frozen=True, slots=True)
class _Reply:
    hass: HomeAssistant
    language: str | None

    @property
    def german(self) -> bool:
        return _german(self.language)

    def done(self, who: str, status: str) -> str:
        if self.german:
            return f"{who} ist jetzt {status}."
        return f"{who} is now {status}."

    async def failed(self, err: HomeAssistantError) -> str:
        reason = (await self._error_text(err)).rstrip(".")
        return f"Das ging nicht: {reason}." if self.german else f"That did not work: {reason}."

    async def _error_text(self, err: HomeAssistantError) -> str:
        """The error in the language the user spoke, not only in English."""
        if err.translation_domain != DOMAIN or not err.translation_key:
            return str(err)
        texts = await translation.async_get_translations(
            self.hass, "de" if self.german else "en", "exceptions", [DOMAIN]
        )
        text = texts.get(f"component.{DOMAIN}.exceptions.{err.translation_key}.message")
        if not text:
            return str(err)
        try:
            return text.format(**(err.translation_placeholders or {}))
        except KeyError, IndexError:
            return str(err)

    def not_linked(self) -> str:
        if self.german:
            return "Dein Benutzer ist mit keinem DIVERA-Mitglied verknüpft."
        return "Your user is not linked to a DIVERA member."

    def several_keys(self) -> str:
        if self.german:
            return (
                "Hier sind mehrere DIVERA-Mitgliedsschlüssel eingerichtet;"
                " ich weiß nicht, wessen Status gemeint ist."
            )
        return "Several DIVERA member keys are set up here; I cannot tell whose status to set."


async def _async_set_status(
    hass: HomeAssistant,
    set_status: Callable[[int, StatusChange], Awaitable[None]],
    who: str,
    catalog: StatusCatalog,
    user_input: ConversationInput,
) -> str | None:
    """Set the status the sentence names and say what happened."""
    status = _find_status(catalog, user_input.text)
    if status is None:
        return None
    reply = _Reply(hass, user_input.language)
    change = StatusChange(
        source=SOURCE_VOICE, device_id=user_input.device_id, user_id=user_input.context.user_id
    )
    try:
        await set_status(status.id, change)
    except HomeAssistantError as err:
        return await reply.failed(err)
    return reply.done(who, status.name)


def _loaded_entries(hass: HomeAssistant, system: str) -> list[DiveraAccessConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED and entry.data.get(CONF_SYSTEM) == system
    ]


def _units(hass: HomeAssistant) -> list[DiveraCoordinator]:
    return [
        entry.runtime_data
        for entry in _loaded_entries(hass, SYSTEM_DIVERA)
        if isinstance(entry.runtime_data, DiveraCoordinator)
    ]


def _units_knowing(hass: HomeAssistant, text: str) -> list[DiveraCoordinator]:
    """The units that have the status the text names, in the order of their entries."""
    return [unit for unit in _units(hass) if _find_status(unit.data.catalog, text)]


def _linked_member(coordinator: DiveraCoordinator, user_id: str | None) -> DiveraMember | None:
    """The member of this unit the Home Assistant user is linked to, if still there."""
    if user_id is None:
        return None
    links: dict[str, int] = coordinator.config_entry.options.get(CONF_USER_LINKS, {})
    ucr_id = links.get(user_id)
    return coordinator.data.members.get(int(ucr_id)) if ucr_id is not None else None


def _linked_anywhere(hass: HomeAssistant, user_id: str | None) -> bool:
    """Whether a loaded unit links this Home Assistant user to one of its members."""
    return any(_linked_member(unit, user_id) is not None for unit in _units(hass))


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
        self._unregister = [
            manager.register_trigger(_who_sentences(statuses), self._async_who),
            manager.register_trigger(_own_sentences(statuses), self._async_set_own),
        ]
        names = [name for m in data.members.values() for name in _spoken(m.full_name)]
        if names:
            members = _alternatives(names)
            self._unregister.append(
                manager.register_trigger(
                    _set_member_sentences(members, statuses), self._async_set_member
                )
            )

    async def _async_who(self, user_input: ConversationInput, result: Any) -> str | None:
        """Answer for every unit that knows the status; the first such unit speaks."""
        units = _units_knowing(self.hass, user_input.text)
        if not units or units[0] is not self.coordinator:
            return None
        answers = [
            answer_who(
                unit.data.catalog, unit.data.members.values(), user_input.text, user_input.language
            )
            for unit in units
        ]
        if len(units) == 1:
            return answers[0]
        return " ".join(
            f"{unit.config_entry.title}: {answer}"
            for unit, answer in zip(units, answers, strict=True)
            if answer
        )

    async def _async_set(self, member: DiveraMember, user_input: ConversationInput) -> str | None:
        async def set_status(status_id: int, change: StatusChange) -> None:
            await self.coordinator.async_set_member_status(member, status_id, change)

        return await _async_set_status(
            self.hass, set_status, member.full_name, self.coordinator.data.catalog, user_input
        )

    async def _async_set_member(self, user_input: ConversationInput, result: Any) -> str | None:
        member = _find_member(self.coordinator.data.members.values(), user_input.text)
        if member is None:
            return None
        return await self._async_set(member, user_input)

    async def _async_set_own(self, user_input: ConversationInput, result: Any) -> str | None:
        user_id = user_input.context.user_id
        member = _linked_member(self.coordinator, user_id)
        if member is not None:
            return await self._async_set(member, user_input)
        if _linked_anywhere(self.hass, user_id) or _loaded_entries(
            self.hass, SYSTEM_DIVERA_PERSONAL
        ):
            return None  # another entry answers for this user
        if _units_knowing(self.hass, user_input.text)[:1] != [self.coordinator]:
            return None  # one unit says it, not every unit
        return _Reply(self.hass, user_input.language).not_linked()


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
            return None  # the unit that links this user answers
        keys = _loaded_entries(hass, SYSTEM_DIVERA_PERSONAL)
        if len(keys) > 1:
            # Nothing tells whose key this is: set no one's status rather than everyone's.
            first = keys[0].entry_id == entry.entry_id
            return _Reply(hass, user_input.language).several_keys() if first else None
        return await _async_set_status(
            hass,
            coordinator.async_set_own_status,
            coordinator.data.full_name,
            coordinator.catalog,
            user_input,
        )

    entry.async_on_unload(
        get_agent_manager(hass).register_trigger(_own_sentences(statuses), _async_set_own)
    )
