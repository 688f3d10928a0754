"""A writer process for the kill test: appends forever, printing each acknowledged size."""

from __future__ import annotations

import sys

from dexagent.audit_log.log import AuditLog
from tests.audit_log.helpers import AGENT_KEY


def main(url: str) -> None:
    log = AuditLog.open(url, agent_id="agent-1", signer_key=AGENT_KEY, batch_size=500)
    i = 0
    while True:
        for _ in range(500):
            log.append_buffered("decision", {"i": i, "pad": "x" * 200})
            i += 1
        durable = log.flush()
        if i % 5000 == 0:
            durable = log.checkpoint().tree_size + 1
        print(f"ACK {durable}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
