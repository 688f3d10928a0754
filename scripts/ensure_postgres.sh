#!/usr/bin/env bash
# Idempotent: install Debian's PostgreSQL server binaries if initdb/pg_ctl are missing.
# The tests start and stop their own server in a temporary directory (tests/audit_log/pg.py).
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL binaries missing; run as root: apt-get update && apt-get install -y postgresql" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends postgresql
