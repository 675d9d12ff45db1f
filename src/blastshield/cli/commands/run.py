"""Run CMD under the OS sandbox: bubblewrap + Landlock + seccomp + the egress proxy.

CMD and every process it starts see the policy's readable paths read-only, the
workspace and writable paths read-write, denied paths not at all; reach the network
only through blastshield's allow-list proxy (every connection is logged); get only the
[env] pass list. CMD's exit status (or the signal that ended it) passes through.
If this machine lacks a layer, run says what it cannot enforce and refuses to start
unless --allow-weaker is given (see `blastshield doctor`).

example: blastshield run -- claude
         blastshield run --resolve api.internal:10.0.0.5 -- pytest -q
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from blastshield.errors import UsageError

TYPE_CHECKING = False  # `run` has a fast path (parse_fast): argparse only when it is needed
if TYPE_CHECKING:
    import argparse
    from typing import NoReturn

NAME = "run"
HELP = "run a command under the OS sandbox (files, network, syscalls held to the policy)"


def configure(parser: argparse.ArgumentParser) -> None:
    import argparse

    parser.add_argument("--policy", metavar="P",
                        help="policy file (default: nearest .blastshield/policy.toml)")
    parser.add_argument("--allow-weaker", action="store_true",
                        help="start even when a sandbox layer is missing on this machine")
    parser.add_argument("--resolve", action="append", default=[], metavar="HOST:ADDR",
                        help="make the egress proxy resolve HOST to ADDR (like curl --resolve); repeatable")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ...",
                        help="the command to run")


def _resolve_map(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        import ipaddress  # only with --resolve: ~2 ms of every run otherwise

        host, sep, addr = item.partition(":")
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            raise UsageError(f"--resolve {item!r}: expected HOST:ADDR with an IP address",
                             hint="e.g. --resolve allowed.test:127.0.0.1") from None
        if not sep or not host:
            raise UsageError(f"--resolve {item!r}: expected HOST:ADDR",
                             hint="e.g. --resolve api.test:10.0.0.5")
        out[host] = addr
    return out


def parse_fast(argv: list[str]) -> SimpleNamespace | None:
    """``run``'s arguments without argparse (the start-up of every sandboxed command pays for it).

    Returns None for anything but the plain forms (--policy P, --policy=P, --allow-weaker,
    --resolve H:A, --resolve=H:A, then ``--`` or the command): help, abbreviations and
    mistakes go to argparse, which answers them as for every other command.
    """
    options: dict[str, object] = {"policy": None, "allow_weaker": False}
    resolve: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        name, equals, value = arg.partition("=")
        if arg == "--":
            index += 1
            break
        if arg == "--allow-weaker":
            options["allow_weaker"] = True
        elif name in ("--policy", "--resolve"):
            if not equals:
                if index + 1 >= len(argv) or argv[index + 1].startswith("-"):
                    return None
                index += 1
                value = argv[index]
            if name == "--policy":
                options["policy"] = value
            else:
                resolve.append(value)
        elif arg.startswith("-"):
            return None
        else:
            break
        index += 1
    command = argv[index:]
    if not command:
        return None
    return SimpleNamespace(**options, resolve=resolve, command=command, verbose=False, _run=run)


def exit_now(code: int) -> NoReturn:
    """Leave without the interpreter's teardown (freeing every module costs ~5 ms per run).

    Only for the end of a ``blastshield run`` process: by then the sandbox has exited, the proxy
    is closed and its connection records written; nothing registers exit handlers on this path
    and the only threads left are the proxy's daemon threads, which exit would not wait for."""
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def run(args: argparse.Namespace | SimpleNamespace) -> int:
    from blastshield.sandbox.run import RunOptions, die_by, run_sandboxed

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise UsageError("no command given", hint="write `blastshield run -- CMD ...`")
    options = RunOptions(command=command, cwd=os.getcwd(), policy_path=args.policy,
                         allow_weaker=args.allow_weaker, resolve=_resolve_map(args.resolve),
                         verbose=bool(getattr(args, "verbose", False)))
    result = run_sandboxed(options)
    if result.signal is not None:
        die_by(result.signal)
    return result.code
