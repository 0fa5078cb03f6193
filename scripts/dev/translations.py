"""Source of strings.json and translations/{en,de}.json: run after editing, commit the output."""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2] / "custom_components" / "divera_access"


def t(en: str, de: str) -> dict[str, str]:
    return {"en": en, "de": de}


def member_fields(done: dict[str, str]) -> dict[str, object]:
    """Fields of the add and remove member actions; `done` says what happens to card holders."""
    return {
        "access_group": {
            "name": t("Access group", "Zugangsgruppe"),
            "description": t("Id or exact name.", "ID oder genauer Name."),
        },
        "users": {
            "name": t("Users", "Benutzer"),
            "description": t("BioStar user ids.", "BioStar-Benutzer-IDs."),
        },
        "cards": {
            "name": t("Cards", "Karten"),
            "description": {
                "en": f"Card numbers; their holders are {done['en']}.",
                "de": f"Kartennummern; deren Inhaber werden {done['de']}.",
            },
        },
        "user_groups": {
            "name": t("User groups", "Benutzergruppen"),
            "description": t("BioStar user group ids.", "BioStar-Benutzergruppen-IDs."),
        },
        "config_entry_id": {
            "name": t("BioStar server", "BioStar-Server"),
            "description": t(
                "Needed only when several servers are set up.",
                "Nur nötig, wenn mehrere Server eingerichtet sind.",
            ),
        },
    }


DIVERA_FIELDS = {
    "accesskey": t("Access key", "Zugangsschlüssel (Accesskey)"),
    "base_url": t("DIVERA server", "DIVERA-Server"),
}
DIVERA_FIELD_HELP = {
    "accesskey": t(
        "DIVERA 24/7 → Verwaltung → Schnittstellen → System-Benutzer: the key of a system user.",
        "DIVERA 24/7 → Verwaltung → Schnittstellen → System-Benutzer: der Schlüssel eines System-Benutzers.",
    ),
    "base_url": t(
        "Leave as is unless you use another DIVERA server.",
        "Nur ändern, wenn ein anderer DIVERA-Server genutzt wird.",
    ),
}
PERSONAL_HELP = {
    "accesskey": t(
        "DIVERA 24/7 → Profil → Einstellungen → Debug: your own access key.",
        "DIVERA 24/7 → Profil → Einstellungen → Debug: dein eigener Zugangsschlüssel.",
    ),
    "base_url": DIVERA_FIELD_HELP["base_url"],
}
BIOSTAR_FIELDS = {
    "url": t("BioStar server address", "Adresse des BioStar-Servers"),
    "username": t("Login ID", "Login-ID"),
    "password": t("Password", "Passwort"),
    "verify_ssl": t("Verify the SSL certificate", "SSL-Zertifikat prüfen"),
}
BIOSTAR_HELP = {
    "url": t("For example `https://10.0.0.5:443`", "Zum Beispiel `https://10.0.0.5:443`"),
    "username": t(
        "A BioStar operator allowed to edit access groups.",
        "Ein BioStar-Operator, der Zugangsgruppen bearbeiten darf.",
    ),
    "password": t("The operator's password.", "Das Passwort des Operators."),
    "verify_ssl": t(
        "Off for self-signed certificates: the certificate seen now is then pinned and any other one is refused.",
        "Aus bei selbstsignierten Zertifikaten: das jetzt gesehene Zertifikat wird gemerkt und jedes andere abgelehnt.",
    ),
}

TEXT = {
    "config": {
        "step": {
            "user": {
                "title": t("Add a system", "System hinzufügen"),
                "description": t("What do you want to connect?", "Was möchtest du verbinden?"),
                "menu_options": {
                    "divera": t(
                        "DIVERA 24/7 unit (System-Benutzer key)",
                        "DIVERA-24/7-Einheit (Schlüssel eines System-Benutzers)",
                    ),
                    "divera_personal": t(
                        "DIVERA 24/7 member (own key)", "DIVERA-24/7-Mitglied (eigener Schlüssel)"
                    ),
                    "biostar": t("Suprema BioStar 2 server", "Suprema-BioStar-2-Server"),
                },
            },
            "divera": {
                "title": t("DIVERA 24/7 unit", "DIVERA-24/7-Einheit"),
                "description": t(
                    "Shows every member of the unit and lets Home Assistant set any member's status. Needs the key of a System-Benutzer.",
                    "Zeigt jedes Mitglied der Einheit und lässt Home Assistant den Status jedes Mitglieds setzen. Braucht den Schlüssel eines System-Benutzers.",
                ),
                "data": DIVERA_FIELDS,
                "data_description": DIVERA_FIELD_HELP,
            },
            "divera_personal": {
                "title": t("DIVERA 24/7 member", "DIVERA-24/7-Mitglied"),
                "description": t(
                    "Shows and sets your own status, for units without a System-Benutzer.",
                    "Zeigt und setzt deinen eigenen Status, für Einheiten ohne System-Benutzer.",
                ),
                "data": DIVERA_FIELDS,
                "data_description": PERSONAL_HELP,
            },
            "biostar": {
                "title": t("Suprema BioStar 2", "Suprema BioStar 2"),
                "description": t(
                    "Access groups of a BioStar 2 server, through its local API.",
                    "Zugangsgruppen eines BioStar-2-Servers über seine lokale API.",
                ),
                "data": BIOSTAR_FIELDS,
                "data_description": BIOSTAR_HELP,
            },
            "reauth_confirm": {
                "title": t("Sign in again", "Erneut anmelden"),
                "description": t(
                    "{name} no longer accepts the stored credentials. Enter new ones.",
                    "{name} akzeptiert die gespeicherten Zugangsdaten nicht mehr. Gib neue ein.",
                ),
                "data": {
                    "accesskey": DIVERA_FIELDS["accesskey"],
                    "username": BIOSTAR_FIELDS["username"],
                    "password": BIOSTAR_FIELDS["password"],
                },
            },
            "reconfigure": {
                "title": t("Change {name}", "{name} ändern"),
                "description": t(
                    "Change the address or the credentials. A new certificate is pinned when verification is off.",
                    "Adresse oder Zugangsdaten ändern. Ist die Prüfung aus, wird ein neues Zertifikat gemerkt.",
                ),
                "data": {**DIVERA_FIELDS, **BIOSTAR_FIELDS},
                "data_description": {**DIVERA_FIELD_HELP, **BIOSTAR_HELP},
            },
        },
        "error": {
            "invalid_auth": t(
                "The key or the credentials were not accepted.",
                "Der Schlüssel oder die Zugangsdaten wurden nicht akzeptiert.",
            ),
            "cannot_connect": t("Cannot connect to the server.", "Keine Verbindung zum Server."),
            "certificate_error": t(
                "The server's certificate could not be verified. Turn off verification for a self-signed certificate.",
                "Das Zertifikat des Servers konnte nicht geprüft werden. Für ein selbstsigniertes Zertifikat die Prüfung ausschalten.",
            ),
            "invalid_url": t(
                "Enter a full address such as https://10.0.0.5:443.",
                "Gib eine vollständige Adresse wie https://10.0.0.5:443 ein.",
            ),
            "use_divera_personal": t(
                'This is a member\'s own key, not a System-Benutzer key: use the option "DIVERA 24/7 member (own key)".',
                "Das ist der eigene Schlüssel eines Mitglieds, kein System-Benutzer-Schlüssel: nutze die Option „DIVERA-24/7-Mitglied (eigener Schlüssel)“.",
            ),
            "use_divera": t(
                'This is a System-Benutzer key: use the option "DIVERA 24/7 unit (System-Benutzer key)".',
                "Das ist der Schlüssel eines System-Benutzers: nutze die Option „DIVERA-24/7-Einheit (Schlüssel eines System-Benutzers)“.",
            ),
            "unknown": t("Unexpected error.", "Unerwarteter Fehler."),
        },
        "abort": {
            "already_configured": t("This is already set up.", "Das ist bereits eingerichtet."),
            "reauth_successful": t("Signed in again.", "Erneut angemeldet."),
            "reconfigure_successful": t("Changed.", "Geändert."),
            "wrong_account": t(
                "These credentials belong to another unit, member or server.",
                "Diese Zugangsdaten gehören zu einer anderen Einheit, einem anderen Mitglied oder Server.",
            ),
        },
    },
    "options": {
        "abort": {
            "not_loaded": t(
                "The entry is not loaded: fix the connection first, then change its options.",
                "Der Eintrag ist nicht geladen: erst die Verbindung reparieren, dann die Optionen ändern.",
            ),
        },
        "step": {
            "init": {
                "title": t("Options", "Optionen"),
                "description": t("What do you want to set up?", "Was möchtest du einrichten?"),
                "menu_options": {
                    "tag_scan": t("NFC tag scans", "NFC-Tag-Scans"),
                    "link_user": t(
                        "Link a Home Assistant user to a member",
                        "Home-Assistant-Benutzer mit einem Mitglied verknüpfen",
                    ),
                },
            },
            "door_groups": {
                "title": t("Door groups on tag scan", "Türgruppen beim Tag-Scan"),
                "description": t(
                    "Access groups a member joins when their tag (card number) is scanned on arrival, and leaves on the next scan.",
                    "Zugangsgruppen, denen ein Mitglied beim Scan seines Tags (Kartennummer) bei Ankunft beitritt und die es beim nächsten Scan verlässt.",
                ),
                "data": {
                    "arrival_access_groups": t(
                        "Access groups on arrival", "Zugangsgruppen bei Ankunft"
                    )
                },
                "data_description": {
                    "arrival_access_groups": t(
                        "Leave empty to change no access groups on tag scans.",
                        "Leer lassen, um bei Tag-Scans keine Zugangsgruppen zu ändern.",
                    )
                },
            },
            "tag_scan": {
                "title": t("NFC tag scans", "NFC-Tag-Scans"),
                "description": t(
                    "When a tag whose id is a member's foreign key (Fremdschlüssel) is scanned, set the member's status.",
                    "Wird ein Tag gescannt, dessen ID der Fremdschlüssel eines Mitglieds ist, wird dessen Status gesetzt.",
                ),
                "data": {
                    "tag_status": t("Status on tag scan", "Status beim Tag-Scan"),
                    "tag_second_status": t("Status on second scan", "Status beim zweiten Scan"),
                },
                "data_description": {
                    "tag_status": t(
                        '"None" turns tag scans off.', "„Keiner“ schaltet Tag-Scans aus."
                    ),
                    "tag_second_status": t(
                        "A scan while the member already has the first status sets this one (arrive / leave).",
                        "Ein Scan, während das Mitglied schon den ersten Status hat, setzt diesen (Kommen / Gehen).",
                    ),
                },
            },
            "link_user": {
                "title": t("Link a user", "Benutzer verknüpfen"),
                "description": t(
                    'Lets this Home Assistant user say "set my status to …".',
                    "Damit kann dieser Home-Assistant-Benutzer „setze meinen Status auf …“ sagen.",
                ),
                "data": {
                    "user": t("Home Assistant user", "Home-Assistant-Benutzer"),
                    "member": t("Member", "Mitglied"),
                },
            },
        },
    },
    "selector": {
        "tag_status": {"options": {"none": t("None", "Keiner")}},
        "member": {
            "options": {"none": t("No member (remove link)", "Kein Mitglied (Verknüpfung lösen)")}
        },
    },
    "entity": {
        "sensor": {
            "member_status": {"name": t("Status", "Status")},
            "status_count": {
                "name": t("Members in status", "Mitglieder im Status"),
                "unit_of_measurement": t("members", "Mitglieder"),
            },
            "status": {"name": t("Status", "Status")},
            "access_group": {
                "name": t("Access group", "Zugangsgruppe"),
                "unit_of_measurement": t("users", "Benutzer"),
            },
        },
        "select": {
            "member_status": {"name": t("Status", "Status")},
            "status": {"name": t("Status", "Status")},
        },
    },
    "exceptions": {
        "auth_failed": t(
            "The credentials were not accepted.", "Die Zugangsdaten wurden nicht akzeptiert."
        ),
        "cannot_connect": t("The server cannot be reached.", "Der Server ist nicht erreichbar."),
        "rate_limited": t(
            "The server asks to slow down; try again in a minute.",
            "Der Server bittet um weniger Anfragen; in einer Minute erneut versuchen.",
        ),
        "invalid_response": t(
            "The server sent an answer that cannot be used.",
            "Der Server hat eine unbrauchbare Antwort geschickt.",
        ),
        "server_refused": t("The server refused: {message}", "Der Server hat abgelehnt: {message}"),
        "certificate_error": t(
            "The server's certificate is not the one trusted at setup.",
            "Das Zertifikat des Servers ist nicht das bei der Einrichtung gemerkte.",
        ),
        "member_without_foreign_id": t(
            "{member} has no foreign key (Fremdschlüssel) in DIVERA, so their status cannot be set.",
            "{member} hat in DIVERA keinen Fremdschlüssel, daher kann der Status nicht gesetzt werden.",
        ),
        "wrong_config_entry": t(
            "{entry} is not the right kind of entry for this action.",
            "{entry} ist für diese Aktion die falsche Art von Eintrag.",
        ),
        "foreign_id_too_long": t(
            "A foreign key has at most {max} characters.",
            "Ein Fremdschlüssel hat höchstens {max} Zeichen.",
        ),
        "not_a_member_entity": t(
            "{entity_id} is not a DIVERA member entity.",
            "{entity_id} ist keine Entität eines DIVERA-Mitglieds.",
        ),
        "foreign_id_needs_system_key": t(
            "A member's own key can only set that member's status: leave out foreign_id.",
            "Mit dem eigenen Schlüssel eines Mitglieds lässt sich nur dessen Status setzen: foreign_id weglassen.",
        ),
        "no_divera_unit": t("No DIVERA unit is loaded.", "Keine DIVERA-Einheit ist geladen."),
        "unknown_foreign_id": t(
            "No member has this foreign key (Fremdschlüssel).",
            "Kein Mitglied hat diesen Fremdschlüssel.",
        ),
        "several_units": t(
            "Several units have a member with this foreign key: choose one with config_entry_id.",
            "Mehrere Einheiten haben ein Mitglied mit diesem Fremdschlüssel: eine mit config_entry_id wählen.",
        ),
        "missing_member": t(
            "Say whose status to set: foreign_id, entity_id, or the config_entry_id of a member's own key.",
            "Angeben, wessen Status gesetzt wird: foreign_id, entity_id oder die config_entry_id eines eigenen Mitgliedsschlüssels.",
        ),
        "unknown_status": t(
            'Unknown status "{status}". Known: {statuses}.',
            "Unbekannter Status „{status}“. Bekannt: {statuses}.",
        ),
        "no_biostar_server": t("No BioStar server is loaded.", "Kein BioStar-Server ist geladen."),
        "several_biostar_servers": t(
            "Several BioStar servers are loaded: choose one with config_entry_id.",
            "Mehrere BioStar-Server sind geladen: einen mit config_entry_id wählen.",
        ),
        "invalid_user_id": t('"{value}" is not a user id.', "„{value}“ ist keine Benutzer-ID."),
        "invalid_user_group_id": t(
            '"{value}" is not a user group id.', "„{value}“ ist keine Benutzergruppen-ID."
        ),
        "invalid_access_level_id": t(
            '"{value}" is not an access level id.', "„{value}“ ist keine Zugangsstufen-ID."
        ),
        "unknown_access_group": t(
            'No access group "{access_group}".', "Keine Zugangsgruppe „{access_group}“."
        ),
        "unknown_user": t(
            "Unknown BioStar user id(s): {users}.", "Unbekannte BioStar-Benutzer-ID(s): {users}."
        ),
        "unknown_card": t("No user holds card {card}.", "Kein Benutzer hat die Karte {card}."),
        "no_members_given": t(
            "Give users, cards or user groups.", "Benutzer, Karten oder Benutzergruppen angeben."
        ),
        "invalid_access_group_name": t(
            "An access group needs a name.", "Eine Zugangsgruppe braucht einen Namen."
        ),
        "access_group_exists": t(
            'An access group named "{name}" exists already.',
            "Eine Zugangsgruppe „{name}“ gibt es schon.",
        ),
    },
    "issues": {
        "certificate_changed": {
            "title": t(
                "BioStar certificate changed: {name}", "BioStar-Zertifikat geändert: {name}"
            ),
            "description": t(
                "The BioStar server presented a certificate other than the one pinned at setup, so Home Assistant refuses to talk to it. If you replaced the certificate yourself, open the integration and choose Reconfigure to pin the new one. If you did not, someone may be intercepting the connection.",
                "Der BioStar-Server zeigt ein anderes Zertifikat als das bei der Einrichtung gemerkte, deshalb spricht Home Assistant nicht mehr mit ihm. Hast du das Zertifikat selbst erneuert, öffne die Integration und wähle Neu konfigurieren, um das neue zu merken. Wenn nicht, könnte jemand die Verbindung abfangen.",
            ),
        }
    },
    "services": {
        "set_status": {
            "name": t("Set status", "Status setzen"),
            "description": t(
                "Sets a member's DIVERA status by foreign key (Fremdschlüssel), by member entity, or your own with a member key.",
                "Setzt den DIVERA-Status eines Mitglieds per Fremdschlüssel, per Mitglieds-Entität oder den eigenen mit einem Mitgliedsschlüssel.",
            ),
            "fields": {
                "foreign_id": {
                    "name": t("Foreign key", "Fremdschlüssel"),
                    "description": t(
                        "The member's foreign key, e.g. the id of their NFC chip.",
                        "Der Fremdschlüssel des Mitglieds, z. B. die ID seines NFC-Chips.",
                    ),
                },
                "entity_id": {
                    "name": t("Member entity", "Mitglieds-Entität"),
                    "description": t(
                        "Instead of a foreign key: the member's sensor.",
                        "Statt Fremdschlüssel: der Sensor des Mitglieds.",
                    ),
                },
                "status": {
                    "name": t("Status", "Status"),
                    "description": t(
                        'Status id or name, e.g. 1 or "Einsatzbereit".',
                        "Status-ID oder -Name, z. B. 1 oder „Einsatzbereit“.",
                    ),
                },
                "config_entry_id": {
                    "name": t("Unit", "Einheit"),
                    "description": t(
                        "Needed only when several units are set up.",
                        "Nur nötig, wenn mehrere Einheiten eingerichtet sind.",
                    ),
                },
            },
        },
        "create_access_group": {
            "name": t("Create access group", "Zugangsgruppe anlegen"),
            "description": t(
                "Creates a BioStar access group.", "Legt eine BioStar-Zugangsgruppe an."
            ),
            "fields": {
                "name": {
                    "name": t("Name", "Name"),
                    "description": t("Unique name of the group.", "Eindeutiger Name der Gruppe."),
                },
                "description": {
                    "name": t("Description", "Beschreibung"),
                    "description": t("Free text.", "Freitext."),
                },
                "users": {
                    "name": t("Users", "Benutzer"),
                    "description": t("BioStar user ids.", "BioStar-Benutzer-IDs."),
                },
                "user_groups": {
                    "name": t("User groups", "Benutzergruppen"),
                    "description": t("BioStar user group ids.", "BioStar-Benutzergruppen-IDs."),
                },
                "access_levels": {
                    "name": t("Access levels", "Zugangsstufen"),
                    "description": t("BioStar access level ids.", "BioStar-Zugangsstufen-IDs."),
                },
                "config_entry_id": {
                    "name": t("BioStar server", "BioStar-Server"),
                    "description": t(
                        "Needed only when several servers are set up.",
                        "Nur nötig, wenn mehrere Server eingerichtet sind.",
                    ),
                },
            },
        },
        "add_access_group_members": {
            "name": t("Add access group members", "Mitglieder zur Zugangsgruppe hinzufügen"),
            "description": t(
                "Adds users, card holders or user groups; nothing already in the group is dropped.",
                "Fügt Benutzer, Karteninhaber oder Benutzergruppen hinzu; nichts, was schon in der Gruppe ist, geht verloren.",
            ),
            "fields": member_fields(t("added", "hinzugefügt")),
        },
        "remove_access_group_members": {
            "name": t("Remove access group members", "Mitglieder aus Zugangsgruppe entfernen"),
            "description": t(
                "Removes users, card holders or user groups; everything else stays.",
                "Entfernt Benutzer, Karteninhaber oder Benutzergruppen; alles andere bleibt.",
            ),
            "fields": member_fields(t("removed", "entfernt")),
        },
        "delete_access_group": {
            "name": t("Delete access group", "Zugangsgruppe löschen"),
            "description": t(
                "Deletes a BioStar access group.", "Löscht eine BioStar-Zugangsgruppe."
            ),
            "fields": {
                "access_group": {
                    "name": t("Access group", "Zugangsgruppe"),
                    "description": t("Id or exact name.", "ID oder genauer Name."),
                },
                "config_entry_id": {
                    "name": t("BioStar server", "BioStar-Server"),
                    "description": t(
                        "Needed only when several servers are set up.",
                        "Nur nötig, wenn mehrere Server eingerichtet sind.",
                    ),
                },
            },
        },
    },
}

# Home Assistant reads an exception's text from exceptions.<key>.message.
TEXT["exceptions"] = {key: {"message": text} for key, text in TEXT["exceptions"].items()}


def pick(node: object, lang: str) -> object:
    if isinstance(node, dict):
        if set(node) == {"en", "de"}:
            return node[lang]
        return {key: pick(value, lang) for key, value in node.items()}
    return node


def main() -> None:
    """Write the files, or with --check fail when they differ from this source."""
    en = json.dumps(pick(TEXT, "en"), indent=2, ensure_ascii=False) + "\n"
    de = json.dumps(pick(TEXT, "de"), indent=2, ensure_ascii=False) + "\n"
    targets = {
        ROOT / "strings.json": en,
        ROOT / "translations" / "en.json": en,
        ROOT / "translations" / "de.json": de,
    }
    if "--check" in sys.argv:
        stale = [str(path) for path, text in targets.items() if path.read_text("utf-8") != text]
        if stale:
            sys.exit(f"Out of date, run scripts/dev/translations.py: {', '.join(stale)}")
        return
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
