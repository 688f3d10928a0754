"""Reproducible build of our test Solidity contracts with the pinned npm solc (standard JSON).

The output is committed under ``artifacts/`` so runtime never needs node; a test recompiles and
compares. Regenerate with ``python -m dexagent.connectors.evm.solc_build``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from dexagent.core.errors import ConfigError

SOLC_VERSION = "0.8.37"
EVM_VERSION = "cancun"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
#: source path (relative to the repository root) -> contract names to export
SOURCES: dict[str, tuple[str, ...]] = {"contracts/test/TestERC20.sol": ("TestERC20",)}


def repo_root() -> Path:
    """The repository root: the nearest parent holding contracts/test/compile_std_json.js."""
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for d in (start, *start.parents):
            if (d / "contracts/test/compile_std_json.js").is_file():
                return d
    raise ConfigError("repository root with contracts/test/compile_std_json.js not found")


def standard_json_input(root: Path) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {src: {"content": (root / src).read_text()} for src in SOURCES},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": EVM_VERSION,
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }


def compile_contracts(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """Compile SOURCES; returns {contract name: artifact dict}. Needs node and node_modules/solc."""
    root = root or repo_root()
    node = shutil.which("node")
    if node is None:
        raise ConfigError("node not found on PATH; install Node.js 20 and run `npm ci`")
    if not (root / "node_modules/solc/package.json").is_file():
        raise ConfigError(f"node_modules/solc missing under {root}; run `npm ci`")
    version = json.loads((root / "node_modules/solc/package.json").read_text())["version"]
    if version != SOLC_VERSION:
        raise ConfigError(f"node_modules/solc is {version}, expected {SOLC_VERSION}; run `npm ci`")
    proc = subprocess.run(
        [node, str(root / "contracts/test/compile_std_json.js")],
        input=json.dumps(standard_json_input(root)),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        raise ConfigError(f"solc-js failed (rc {proc.returncode}): {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout[proc.stdout.index("{") :])
    errors = [e for e in out.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise ConfigError("solc errors: " + "; ".join(e["formattedMessage"] for e in errors))
    arts: dict[str, dict[str, Any]] = {}
    for src, names in SOURCES.items():
        for name in names:
            c = out["contracts"][src][name]
            arts[name] = {
                "contractName": name,
                "sourceName": src,
                "compiler": f"solc-js {SOLC_VERSION}",
                "evmVersion": EVM_VERSION,
                "optimizerRuns": 200,
                "abi": c["abi"],
                "bytecode": "0x" + c["evm"]["bytecode"]["object"],
            }
    return arts


def artifact_text(art: dict[str, Any]) -> str:
    return json.dumps(art, indent=1, sort_keys=True) + "\n"


def write_artifacts() -> list[Path]:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    paths = []
    for name, art in compile_contracts().items():
        p = ARTIFACTS_DIR / f"{name}.json"
        p.write_text(artifact_text(art))
        paths.append(p)
    return paths


if __name__ == "__main__":
    for p in write_artifacts():
        print(p)
