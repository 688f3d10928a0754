"""The committed AuditAnchor build output is what the pinned solc-js makes of its source."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from dexagent.audit_log.anchor_build import ARTIFACT, SOURCE, artifact_text, build_artifact
from dexagent.connectors.evm.solc_build import repo_root

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node for solc-js")


def test_recompiling_the_source_reproduces_the_committed_artifact_byte_for_byte() -> None:
    root = repo_root()
    committed = (root / ARTIFACT).read_text()
    assert artifact_text(build_artifact(root)) == committed


def test_committed_artifact_pins_compiler_evm_version_and_source_hash() -> None:
    root = repo_root()
    art = json.loads((root / ARTIFACT).read_text())
    assert art["compiler"] == {"name": "solc-js", "version": "0.8.37+commit.f401782d"}
    assert art["settings"] == {"evmVersion": "cancun", "optimizer": {"enabled": True, "runs": 200}}
    assert art["sourceSha256"] == hashlib.sha256((root / SOURCE).read_bytes()).hexdigest()
