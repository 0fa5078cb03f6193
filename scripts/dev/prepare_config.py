"""Prepare a Home Assistant config dir that loads DIVERA Access from this checkout.

Used by scripts/develop (for .dev-config/) and by tests/e2e (for a temporary
dir): copies scripts/dev/configuration.yaml, links the integration into
``<config>/custom_components/`` and pins the HTTP server to 127.0.0.1 and the
given port. Everything else Home Assistant stored (users, entries, database)
is kept.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "scripts" / "dev" / "configuration.yaml"
INTEGRATION = REPO_ROOT / "custom_components" / "divera_access"
HOST = "127.0.0.1"


def prepare_config(config_dir: Path, port: int) -> Path:
    """Write configuration.yaml, link the integration, pin host and port; return the dir."""
    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE, config_dir / "configuration.yaml")
    _link_integration(config_dir / "custom_components")
    _pin_http_server(config_dir / ".storage" / "http", port)
    return config_dir


def _link_integration(custom: Path) -> None:
    custom.mkdir(exist_ok=True)
    link = custom / INTEGRATION.name
    if link.is_symlink():
        if link.resolve() == INTEGRATION.resolve():
            return
        link.unlink()
    elif link.exists():
        raise SystemExit(f"{link} is a real directory; remove it to link this checkout")
    link.symlink_to(INTEGRATION, target_is_directory=True)


def _pin_http_server(store: Path, port: int) -> None:
    """Write the HTTP settings the way Home Assistant 2026.10 stores them.

    Home Assistant reads them from ``.storage/http`` only; the confirmed
    (``stable``) slot is set and any unconfirmed trial is dropped, so the
    server comes up on this address without asking for confirmation.
    """
    from homeassistant.components.http.config import (  # noqa: PLC0415  (slow import)
        HTTP_STORAGE_SCHEMA,
        STORAGE_MINOR_VERSION,
        STORAGE_VERSION,
    )
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    wanted = {"server_host": [HOST], "server_port": port}
    current: dict[str, Any] = {}
    if store.exists():
        current = json.loads(store.read_text(encoding="utf-8"))
        data = current.get("data", {})
        stable = data.get("stable") or {}
        if (
            current.get("version") == STORAGE_VERSION
            and data.get("pending") is None
            and all(stable.get(key) == value for key, value in wanted.items())
        ):
            return
    stable = {
        **HTTP_STORAGE_SCHEMA({**(current.get("data", {}).get("stable") or {}), **wanted}),
        "created_at": dt_util.utcnow().isoformat(),
        "error": None,
        "error_message": None,
    }
    store.parent.mkdir(exist_ok=True)
    store.write_text(
        json.dumps(
            {
                "version": STORAGE_VERSION,
                "minor_version": STORAGE_MINOR_VERSION,
                "key": "http",
                "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    store.chmod(0o600)


def main() -> None:
    """Prepare the config dir given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    print(prepare_config(args.config_dir.resolve(), args.port))


if __name__ == "__main__":
    main()
