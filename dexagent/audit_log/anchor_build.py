"""Reproducible build of contracts/AuditAnchor.sol with the pinned npm solc (standard JSON).

The artifact is committed as ``contracts/build/AuditAnchor.json`` so anchoring never needs node; a
test recompiles and compares. Regenerate with ``python -m dexagent.audit_log.anchor_build``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dexagent.connectors.evm.solc_build import SOLC_VERSION, repo_root
from dexagent.core.errors import ConfigError

EVM_VERSION = "cancun"
OPTIMIZER = {"enabled": True, "runs": 200}
SOURCE = "contracts/AuditAnchor.sol"
ARTIFACT = "contracts/build/AuditAnchor.json"
CONTRACT = "AuditAnchor"


def settings() -> dict[str, Any]:
    return {
        "optimizer": dict(OPTIMIZER),
        "evmVersion": EVM_VERSION,
        "outputSelection": {
            "*": {"*": ["abi", "metadata", "evm.bytecode.object", "evm.deployedBytecode.object"]}
        },
    }


def compile_sources(sources: Mapping[str, str], root: Path | None = None) -> dict[str, Any]:
    """Compile ``{path: source text}`` with the pinned solc-js; returns the standard-JSON output."""
    root = root or repo_root()
    node = shutil.which("node")
    if node is None:
        raise ConfigError("node not found on PATH; install Node.js 20 and run `npm ci`")
    pkg = root / "node_modules/solc/package.json"
    if not pkg.is_file():
        raise ConfigError(f"node_modules/solc missing under {root}; run `npm ci`")
    version = json.loads(pkg.read_text())["version"]
    if version != SOLC_VERSION:
        raise ConfigError(f"node_modules/solc is {version}, expected {SOLC_VERSION}; run `npm ci`")
    std_in = {
        "language": "Solidity",
        "sources": {p: {"content": s} for p, s in sources.items()},
        "settings": settings(),
    }
    proc = subprocess.run(
        [node, str(root / "contracts/test/compile_std_json.js")],
        input=json.dumps(std_in),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        raise ConfigError(f"solc-js failed (rc {proc.returncode}): {proc.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(proc.stdout[proc.stdout.index("{") :])
    errors = [e for e in out.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise ConfigError("solc errors: " + "; ".join(e["formattedMessage"] for e in errors))
    return out


def build_artifact(root: Path | None = None) -> dict[str, Any]:
    """The AuditAnchor artifact: abi, bytecode, compiler version, settings, source sha256."""
    root = root or repo_root()
    src = (root / SOURCE).read_text()
    c = compile_sources({SOURCE: src}, root)["contracts"][SOURCE][CONTRACT]
    meta = json.loads(c["metadata"])
    sets = settings()
    del sets["outputSelection"]
    return {
        "contractName": CONTRACT,
        "sourceName": SOURCE,
        "sourceSha256": hashlib.sha256(src.encode()).hexdigest(),
        "compiler": {"name": "solc-js", "version": meta["compiler"]["version"]},
        "settings": sets,
        "abi": c["abi"],
        "bytecode": "0x" + c["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"],
    }


def artifact_text(art: Mapping[str, Any]) -> str:
    return json.dumps(art, indent=1, sort_keys=True) + "\n"


def write_artifact(root: Path | None = None) -> Path:
    root = root or repo_root()
    path = root / ARTIFACT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(artifact_text(build_artifact(root)))
    return path


if __name__ == "__main__":
    print(write_artifact())
