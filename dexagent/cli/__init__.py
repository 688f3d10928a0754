"""The ``dexagent`` command: thin subcommands that parse flags and call the library."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from dexagent.core.errors import DexAgentError

# Each module has ``register(subparsers)`` adding its commands with ``set_defaults(func=...)``;
# ``func(args) -> int`` returns the exit code.
_COMMAND_MODULES = (
    "dexagent.cli.backtest_cmd",
    "dexagent.cli.data_cmd",
    "dexagent.cli.audit_cmd",
    "dexagent.cli.chain_cmd",
    "dexagent.cli.policy_cmd",
    "dexagent.cli.demo_cmd",
    "dexagent.cli.run_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dexagent",
        description="Policy-bounded trading agents on DEXs: backtest, run, audit.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command group not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        code: int = args.func(args)
    except DexAgentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
