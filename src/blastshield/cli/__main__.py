"""``blastshield`` entry point: dispatch to a subcommand, turn errors into one line + exit code."""

from __future__ import annotations

import os
import sys

from blastshield import __version__
from blastshield.errors import BlastshieldError

TYPE_CHECKING = False  # the hook path must not pay for importing typing; mypy honours this name
if TYPE_CHECKING:
    import argparse
    from types import ModuleType
    from typing import Any

DESCRIPTION = """\
blastshield keeps an AI coding agent on a short leash: a least-privilege policy over
effects (exec, read, write, delete, network, MCP tool, environment variable) enforced
in the agent's hooks and in the OS, a tamper-evident flight recorder of everything the
agent does, and a security gate on the code it writes.

exit codes: 0 clean/allowed, 1 findings or a deny, 2 usage or input error,
            3 internal error, 4 log integrity failure"""


def _command_modules(args: list[str] | None = None) -> list[ModuleType]:
    """Every command module; or, when ``args`` names a command, only that one's (``scan``,
    ``log``... then start without importing the other commands' modules)."""
    import importlib

    from blastshield.cli import commands

    given = list(args or ())
    named = next((a for a in given if not a.startswith("-")), None)
    before = given[:given.index(named)] if named is not None else given
    if named is not None and "--help" not in before and "-h" not in before:
        module_name = named.replace("-", "_")
        if module_name.isidentifier() and not module_name.startswith("_") and os.path.isfile(
                os.path.join(commands.__path__[0], module_name + ".py")):
            module = importlib.import_module(f"blastshield.cli.commands.{module_name}")
            if getattr(module, "NAME", None) == named:
                return [module]
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"blastshield.cli.commands.{name}") for name in names]


def build_parser(modules: list[ModuleType]) -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="blastshield", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"blastshield {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show a traceback for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules:
        child = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(child)
        child.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["hook"]:
        # The hook runs once per tool call: no argparse, no discovery of other commands, and
        # a warm hook server answers when one runs (hosts/hook_client.py, docs/hook-server.md).
        try:
            client = _hook_client()
        except Exception:  # cannot load the client: argparse runs the in-process hook below
            client = None
        code: int | None = client.main(args_in[1:], _hook_in_process) if client is not None else None
        if code is not None:
            return code
    if args_in[:1] == ["run"]:
        # `run` starts every sandboxed command: its own options without argparse or discovery.
        from blastshield.cli.commands import run as run_command

        fast = run_command.parse_fast(args_in[1:])
        if fast is not None:
            if argv is None:  # a real `blastshield run` process: no garbage collection until the
                import gc  # sandbox runs (sandbox.run turns it back on), no interpreter teardown

                gc.disable()
            code = dispatch(fast)
            if argv is None:
                run_command.exit_now(code)
            return code
    parser = build_parser(_command_modules(args_in))
    args = parser.parse_args(args_in)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    return dispatch(args)


def _hook_client() -> ModuleType:
    """hosts/hook_client.py: imports only the standard library's low-level modules."""
    from blastshield.hosts import hook_client

    return hook_client


def _hook_in_process(host: str, policy: str | None, raw: bytes | None) -> int:
    """The hook answered in this process (raw: the payload when the client already read it)."""
    from blastshield.cli.commands import hook

    return dispatch(hook.namespace(host, policy, raw))


def dispatch(args: Any) -> int:
    """Run a parsed command; our errors become one line and their exit code."""
    try:
        code: int = args._run(args)
        return code
    except BlastshieldError as exc:
        print(f"blastshield: error: {exc.diagnostics()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("blastshield: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if getattr(args, "verbose", False):
            raise
        print(f"blastshield: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
