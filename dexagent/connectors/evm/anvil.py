"""A local anvil node managed by PID: start on a free 127.0.0.1 port, raw JSON-RPC, snapshot, stop.

The binary is the platform package's ELF (never the Node wrapper, which orphans anvil on SIGKILL).
Its output goes to a log file (an undrained pipe stalls anvil after a few thousand requests) and it
gets a private ``--cache-path`` that is deleted on ``stop`` (anvil leaks state files otherwise).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.errors import ConfigError, TemporaryError

__all__ = ["DEV_ACCOUNTS", "AnvilNode", "find_anvil_binary"]

log = logging.getLogger(__name__)

_REL_BIN = Path("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
_STOP_TIMEOUT_S = 5.0
_START_TIMEOUT_S = 15.0

# Test-only: the ten accounts of anvil's default mnemonic "test test test ... junk".
# Public knowledge; never use them on a real chain.
DEV_ACCOUNTS: list[tuple[str, str]] = [
    (
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    ),
    (
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    ),
    (
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    ),
    (
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    ),
    (
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    ),
    (
        "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    ),
    (
        "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    ),
    (
        "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
        "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    ),
    (
        "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
        "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    ),
    (
        "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
        "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
    ),
]


def find_anvil_binary() -> Path:
    """$DEXAGENT_ANVIL_BIN, else node_modules/... searched upward from the cwd and this package."""
    env = os.environ.get("DEXAGENT_ANVIL_BIN")
    if env:
        p = Path(env)
        if p.is_file() and os.access(p, os.X_OK):
            return p
        raise ConfigError(
            f"DEXAGENT_ANVIL_BIN={env!r} is not an executable file; point it at the anvil binary "
            "or unset it to use node_modules (run `npm ci` in the repository root)"
        )
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    tried: list[str] = []
    for start in starts:
        for d in (start, *start.parents):
            cand = d / _REL_BIN
            if cand.is_file() and os.access(cand, os.X_OK):
                return cand
        tried.append(str(start))
    raise ConfigError(
        f"anvil binary not found at <dir>/{_REL_BIN} above {', '.join(tried)}; "
        "run `npm ci` in the repository root, or set DEXAGENT_ANVIL_BIN to the binary"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AnvilNode:
    """A running anvil process on 127.0.0.1; stop it with ``stop()`` or use it as a context."""

    def __init__(
        self,
        *,
        proc: subprocess.Popen[bytes],
        port: int,
        chain_id: int,
        cache_dir: Path | None,
        log_path: Path,
        log_owned: bool,
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.pid = proc.pid
        self.chain_id = chain_id
        self.log_path = log_path
        self._proc = proc
        self._cache_dir = cache_dir
        self._log_owned = log_owned
        self._client = JsonRpcClient(self.url)

    def __repr__(self) -> str:
        return f"AnvilNode(url={self.url!r}, pid={self.pid}, chain_id={self.chain_id})"

    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        block_time: float | None = None,
        chain_id: int = 31337,
        log_path: Path | None = None,
        extra_args: Sequence[str] = (),
        cache_dir: Path | None = None,
        new_session: bool = False,
    ) -> AnvilNode:
        """Start anvil; ``cache_dir`` (default: a new temp dir) is removed by ``stop``.

        ``new_session`` puts anvil in its own session so it outlives the caller (``chain up``).
        """
        binary = find_anvil_binary()
        if cache_dir is None:
            cache_dir = Path(tempfile.mkdtemp(prefix="dexagent-anvil-cache-"))
        else:
            cache_dir.mkdir(parents=True, exist_ok=True)
        log_owned = log_path is None
        if log_path is None:
            log_path = cache_dir / "anvil.log"
        chosen = port if port is not None else _free_port()
        args = [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(chosen),
            "--chain-id",
            str(chain_id),
            "--cache-path",
            str(cache_dir / "state"),
        ]
        if block_time is not None:
            args += ["--block-time", str(block_time)]
        args += list(extra_args)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as logf:
            proc = subprocess.Popen(
                args,
                stdout=logf,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=new_session,
            )
        node = cls(
            proc=proc,
            port=chosen,
            chain_id=chain_id,
            cache_dir=cache_dir,
            log_path=log_path,
            log_owned=log_owned,
        )
        try:
            node._wait_ready()
        except BaseException:
            tail = _tail(log_path)
            node.stop()
            raise TemporaryError(
                f"anvil (pid {proc.pid}) did not answer on port {chosen} within "
                f"{_START_TIMEOUT_S:.0f} s; log tail: {tail!r}"
            ) from None
        log.info("anvil pid %d listening on %s (chain %d)", node.pid, node.url, chain_id)
        return node

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            if self._proc.poll() is not None:
                raise TemporaryError(f"anvil exited early with code {self._proc.returncode}")
            try:
                got = int(self._client.call("eth_chainId"), 16)
            except TemporaryError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
                continue
            if got != self.chain_id:
                raise ConfigError(f"anvil answered chain id {got}, expected {self.chain_id}")
            return

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        return self._client.call(method, params)

    def rpc_batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        return self._client.batch(calls)

    def snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def revert(self, snap_id: str) -> bool:
        return bool(self.rpc("evm_revert", [snap_id]))

    @property
    def running(self) -> bool:
        return self._proc.poll() is None

    def stop(self) -> None:
        self._client.close()
        if self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self._proc.wait(_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                log.warning(
                    "anvil pid %d ignored SIGTERM for %.0f s; killing", self.pid, _STOP_TIMEOUT_S
                )
                os.kill(self.pid, signal.SIGKILL)
                self._proc.wait(_STOP_TIMEOUT_S)
        if self._cache_dir is not None:
            shutil.rmtree(self._cache_dir, ignore_errors=True)  # the owned log goes with it
            self._cache_dir = None

    def detach(self) -> Path | None:
        """Leave the process running and forget it; returns its cache dir (caller removes it)."""
        self._client.close()
        cache, self._cache_dir = self._cache_dir, None
        return cache

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _tail(path: Path, n: int = 800) -> str:
    try:
        return path.read_bytes()[-n:].decode(errors="replace")
    except OSError:
        return ""
