"""Start a throwaway PostgreSQL server (Debian's binaries) in a temp dir; stop it by its PID."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a ``postgresql://`` URL of a fresh server; raise RuntimeError if none can start."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL binaries missing: run scripts/ensure_postgres.sh")
    tmp = tempfile.mkdtemp(prefix="dexagent-pg-")
    os.chmod(tmp, 0o777)
    data = os.path.join(tmp, "data")
    port = _free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    log = os.path.join(tmp, "pg.log")
    subprocess.run(
        _as_postgres(
            [
                pg_ctl,
                "-D",
                data,
                "-l",
                log,
                "-w",
                "-o",
                f"-p {port} -h 127.0.0.1 -k {tmp} -F",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        _wait(port)
        yield url
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]), capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


def _wait(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL did not listen on port {port}")
