"""Read, follow, verify and export the flight recorder's log.

  blastshield log list   [filters] [--limit N] [--json]
  blastshield log show   SEQ|HASH-PREFIX [--json]
  blastshield log tail   [-n N] [-f] [filters] [--json]
  blastshield log verify [--public-key FILE] [--json]       exit 4 when tampered
  blastshield log export --format jsonl|otlp [-o FILE] [filters]
  blastshield log new-key                                   retire the signing key, make a new one

filters: --session ID --host HOST --tool NAME --decision allow|ask|deny --event NAME
         --rule TEXT (substring) --since T --until T (ISO 8601 or an age: 30m, 2h, 7d)
The log is the one the policy found from the current folder names, or --store / --policy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blastshield.audit.query import Filter
    from blastshield.audit.store import AuditStore

NAME = "log"
HELP = "list, follow, verify and export the tamper-evident audit log"


def _common(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="PATH|URL", help="the log: an SQLite file or a postgresql:// URL")
    where.add_argument("--policy", metavar="FILE", help="use the log this policy names")


def _filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--session", default="", help="session id")
    group.add_argument("--host", default="", help="claude-code, cursor, gemini, codex, sandbox, ...")
    group.add_argument("--tool", default="", help="tool name (Bash, Write, ...)")
    group.add_argument("--decision", default="", choices=["", "allow", "ask", "deny"],
                       help="policy decision or applied decision")
    group.add_argument("--event", default="", help="PreToolUse, PostToolUse, SessionEnd, ...")
    group.add_argument("--rule", default="", help="text the deciding rule contains")
    group.add_argument("--since", default="", help="ISO time or age (2h, 7d): from then on")
    group.add_argument("--until", default="", help="ISO time or age: before then")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="log_command", metavar="SUBCOMMAND", required=True)
    listing = sub.add_parser("list", help="records as a table (or JSON)")
    _common(listing)
    _filters(listing)
    listing.add_argument("--limit", type=int, default=100, help="the newest N matching records (0 = all)")
    listing.add_argument("--json", action="store_true", help='print {"version": 1, "records": [...]}')
    show = sub.add_parser("show", help="every field of one record")
    _common(show)
    show.add_argument("record", help="a record number or a hash prefix (6+ hex digits)")
    show.add_argument("--json", action="store_true")
    tail = sub.add_parser("tail", help="the last records; -f follows new ones")
    _common(tail)
    _filters(tail)
    tail.add_argument("-n", "--lines", type=int, default=10, help="how many records first (default 10)")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new records (Ctrl-C stops)")
    tail.add_argument("--interval", type=float, default=0.3, help="seconds between polls with -f")
    tail.add_argument("--json", action="store_true", help="one JSON record per line")
    verify = sub.add_parser("verify", help="re-walk the hash chain and checkpoint signatures (exit 4 if bad)")
    _common(verify)
    verify.add_argument("--public-key", action="append", default=[], metavar="FILE",
                        help="also trust this audit-ed25519.pub (a log signed on another machine)")
    verify.add_argument("--json", action="store_true")
    export = sub.add_parser("export", help="records as JSON Lines or an OTLP/JSON logs request")
    _common(export)
    _filters(export)
    export.add_argument("--format", choices=["jsonl", "otlp"], default="jsonl")
    export.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    newkey = sub.add_parser("new-key", help="retire the checkpoint signing key and create a new one")
    _common(newkey)


def _location(args: argparse.Namespace) -> str:
    return _where(args)[0]


def _where(args: argparse.Namespace) -> tuple[str, str]:
    """(store location, OTLP spool folder or "")."""
    from blastshield.audit.recorder import spool_folder, store_location
    from blastshield.errors import UsageError
    from blastshield.policy.load import find_policy, load_policy

    if args.store:
        store: str = args.store
        return store, ""
    policy_path = args.policy or find_policy(os.getcwd())
    if policy_path is None:
        raise UsageError("no .blastshield/policy.toml here or above, so no log to read",
                         hint="run from the workspace, or pass --store PATH or --policy FILE")
    policy = load_policy(policy_path)
    return store_location(policy), spool_folder(policy) if policy.audit.otlp else ""


def _open(args: argparse.Namespace) -> AuditStore:
    from blastshield.audit.store import open_store

    return open_store(_location(args), create=False)


def _selection(args: argparse.Namespace, **overrides: Any) -> Filter:
    from blastshield.audit.query import Filter, parse_time

    return Filter(session=args.session, host=args.host, tool=args.tool, decision=args.decision,
                  event=args.event, rule=args.rule,
                  since=parse_time(args.since, "--since") if args.since else "",
                  until=parse_time(args.until, "--until") if args.until else "", **overrides)


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _width() -> int:
    """The terminal's width on a TTY; 0 (no truncation) when piped or redirected."""
    import shutil

    return shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 0


def _print(lines: list[str]) -> None:
    sys.stdout.write("".join(line + "\n" for line in lines))


def run(args: argparse.Namespace) -> int:
    handlers = {"list": _list, "show": _show, "tail": _tail, "verify": _verify, "export": _export,
                "new-key": _new_key}
    code: int = handlers[args.log_command](args)
    return code


def _list(args: argparse.Namespace) -> int:
    from blastshield.report.log_text import render_table

    limit = args.limit if args.limit > 0 else None
    store = _open(args)
    try:
        records = list(store.select(_selection(args, limit=limit, newest_first=True)))[::-1]
    finally:
        store.close()
    if args.json:
        json.dump({"version": 1, "records": [r.as_json() for r in records]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print(render_table(records, colour=_colour(), width=_width()))
    return 0


def _show(args: argparse.Namespace) -> int:
    from blastshield.audit.query import Filter
    from blastshield.errors import UsageError
    from blastshield.report.log_text import render_record

    wanted: str = args.record.strip().lower()
    store = _open(args)
    try:
        if wanted.isdigit():
            number = int(wanted)
            found = [r for r in store.select(Filter(after_seq=number - 1, limit=1)) if r.seq == number]
        elif len(wanted) >= 6 and all(c in "0123456789abcdef" for c in wanted):
            found = [r for r in store.select(Filter()) if r.hash.startswith(wanted)]
        else:
            raise UsageError(f"{args.record!r}: not a record number or hash prefix",
                             hint="pass a number from `blastshield log list` or 6+ hex digits of a hash")
    finally:
        store.close()
    if not found:
        raise UsageError(f"no record {args.record} in this log", hint="see `blastshield log list`")
    if len(found) > 1:
        raise UsageError(f"hash prefix {args.record} matches {len(found)} records", hint="give more digits")
    if args.json:
        json.dump(found[0].as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print(render_record(found[0], colour=_colour()))
    return 0


def _tail(args: argparse.Namespace) -> int:
    import time

    store = _open(args)
    colour = _colour()
    try:
        last = _newest(store)
        first = list(store.select(_selection(args, limit=max(0, args.lines), newest_first=True)))[::-1]
        _emit([r for r in first if r.seq <= last], args.json, colour, header=True)
        while args.follow:
            time.sleep(max(0.05, args.interval))
            newest = _newest(store)
            if newest > last:
                fresh = [r for r in store.select(_selection(args, after_seq=last)) if r.seq <= newest]
                if fresh:
                    _emit(fresh, args.json, colour, header=False)
                last = newest
    finally:
        store.close()
    return 0


def _newest(store: AuditStore) -> int:
    from blastshield.audit.query import Filter

    newest = list(store.select(Filter(limit=1, newest_first=True)))
    return newest[0].seq if newest else 0


def _emit(records: list[Any], as_json: bool, colour: bool, *, header: bool) -> None:
    from blastshield.report.log_text import render_table

    if as_json:
        for record in records:
            sys.stdout.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")
    else:
        lines = render_table(records, colour=colour, width=_width())
        _print(lines if header else lines[1:])
    sys.stdout.flush()


def _verify(args: argparse.Namespace) -> int:
    from blastshield.audit.anchor import read_anchor
    from blastshield.audit.keys import trusted_public_keys
    from blastshield.audit.store import is_postgres, open_store
    from blastshield.audit.verify import verify_store
    from blastshield.errors import AuditStoreError, IntegrityError
    from blastshield.report.log_text import render_verify

    location, spool = _where(args)
    if not is_postgres(location) and not os.path.exists(location):
        anchor = read_anchor(os.path.realpath(location))
        if anchor is not None:
            raise IntegrityError(f"{location}: the log is gone, but a signed anchor says it held"
                                 f" {anchor.count} records (deleted?)",
                                 hint="restore it from a backup (anchors: ~/.config/blastshield/anchors)")
    trusted = trusted_public_keys(args.public_key)
    try:
        store = open_store(location, create=False)
    except AuditStoreError as exc:
        if ": corrupt database (" not in exc.message:
            raise
        raise IntegrityError(f"cannot verify: {exc.message}", hint="restore the log from a backup") from exc
    try:
        report = verify_store(store, trusted)
    except AuditStoreError as exc:
        raise IntegrityError(f"cannot verify: {exc.message}", hint="restore the log from a backup") from exc
    finally:
        store.close()
    if spool:
        report.warnings.extend(_export_warnings(spool))
    if args.json:
        json.dump(report.as_json(), sys.stdout)
        sys.stdout.write("\n")
    else:
        _print(render_verify(report, colour=_colour()))
    return 0 if report.ok else 4


def _export_warnings(folder: str) -> list[str]:
    """OTLP delivery problems: events waiting or rejected are never dropped silently."""
    from blastshield.audit.spool import status

    state = status(folder)
    notes: list[str] = []
    if state.get("waiting"):
        error = f" (last error: {state['error']})" if state.get("error") else ""
        notes.append(f"{state['waiting']} event(s) wait in {folder} for the OTLP collector{error}")
    if state.get("rejected_batches"):
        notes.append(f"{state['rejected_batches']} batch(es) were rejected by the OTLP collector;"
                     f" they are kept in {folder} (rejected-*.jsonl)")
    return notes


def _export(args: argparse.Namespace) -> int:
    store = _open(args)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        records = store.select(_selection(args))
        if args.format == "jsonl":
            for record in records:
                out.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")
        else:
            from blastshield.audit.otlp import build_request, config_from_env

            items: list[dict[str, Any]] = [{"kind": "record", **r.as_json()} for r in records]
            items += [{"kind": "checkpoint", **c.as_json()} for c in store.checkpoints()]
            json.dump(build_request(items, config_from_env().resource), out)
            out.write("\n")
    finally:
        store.close()
        if out is not sys.stdout:
            out.close()
    return 0


def _new_key(args: argparse.Namespace) -> int:
    from blastshield.audit.keys import key_dir, new_signing_key

    key = new_signing_key()
    print(f"new checkpoint signing key {key.key_id} in {key_dir()} (older public keys stay trusted)")
    return 0
