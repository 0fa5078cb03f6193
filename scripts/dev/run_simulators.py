"""Serve the DIVERA and BioStar simulators, seeded realistically, until stopped.

Both run in this one process, so one signal stops both. Ports come from the
arguments or from DIVERA_SIM_PORT / BIOSTAR_SIM_PORT (8124 / 8125). A line
``simulators ready`` is printed once both listen.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.simulators import biostar, divera  # noqa: E402  (needs the repo root on sys.path)

READY = "simulators ready"


async def serve(host: str, divera_port: int, biostar_port: int) -> None:
    """Start both simulators, announce them, and serve until SIGTERM or SIGINT."""
    divera_sim = divera.DiveraSimulator.realistic()
    divera_sim.system_key_may_pull = True
    biostar_sim = biostar.BiostarSimulator.realistic()
    runners = []
    try:
        runner, divera_url = await divera.start_simulator(divera_sim, host, divera_port)
        runners.append(runner)
        runner, biostar_url = await biostar.start_simulator(biostar_sim, host, biostar_port)
        runners.append(runner)
        print(
            f"DIVERA 24/7 simulator on {divera_url}: {len(divera_sim.members)} members,"
            f" System-Benutzer key {divera.SYSTEM_KEY}"
        )
        print(
            f"BioStar 2 simulator on {biostar_url}: {len(biostar_sim.users)} users,"
            f" login {biostar.DEFAULT_LOGIN} / {biostar.DEFAULT_PASSWORD}"
        )
        print(READY, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        for runner in reversed(runners):
            await runner.cleanup()


def main() -> None:
    """Parse the ports and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--divera-port", type=int, default=int(os.environ.get("DIVERA_SIM_PORT", "8124"))
    )
    parser.add_argument(
        "--biostar-port", type=int, default=int(os.environ.get("BIOSTAR_SIM_PORT", "8125"))
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.divera_port, args.biostar_port))


if __name__ == "__main__":
    main()
