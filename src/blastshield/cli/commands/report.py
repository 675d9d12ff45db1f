"""Write the flight recorder as one self-contained HTML page.

  blastshield report --html FILE [--since WHEN] [--session ID] [--policy FILE]

The page holds sessions on a timeline, every judged action with its decision and rule, scan
findings linked to the action that wrote the code, the log's verification result and the
review's findings. It loads nothing from the network. Exit 4 (after writing the page) when
the log fails verification.
"""

from __future__ import annotations

import argparse
import os

NAME = "report"
HELP = "write an HTML report of the log: timeline, decisions, findings, verification, review"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", required=True, metavar="FILE", help="the HTML file to write")
    parser.add_argument("--policy", metavar="FILE", help="the policy in force (default: found from here)")
    parser.add_argument("--since", default="", help="only records from then on: ISO time or an age (2h, 7d)")
    parser.add_argument("--session", default="", help="only this session id")


def run(args: argparse.Namespace) -> int:
    from blastshield.audit.keys import trusted_public_keys
    from blastshield.audit.query import utc_now
    from blastshield.audit.recorder import store_location
    from blastshield.audit.store import open_store
    from blastshield.audit.verify import verify_store
    from blastshield.errors import AuditStoreError, UsageError
    from blastshield.learn.observed import actions_from_records, read_records
    from blastshield.learn.review import review
    from blastshield.policy.load import find_policy, load_policy
    from blastshield.report.html import collect, render

    path = args.policy or find_policy(os.getcwd())
    if path is None:
        raise UsageError("no .blastshield/policy.toml here or above",
                         hint="run from the workspace, or pass --policy FILE")
    policy = load_policy(path)
    records = read_records(policy, since=args.since, session=args.session)
    location = store_location(policy)
    try:
        store = open_store(location, create=False)
        try:
            verified = verify_store(store, trusted_public_keys([]))
        finally:
            store.close()
    except AuditStoreError as exc:
        raise UsageError(f"cannot verify the log: {exc.message}",
                         hint="see `blastshield log verify`") from exc
    actions = actions_from_records(records, policy.workspace)
    reviewed = review(policy, actions, last_seq=max((r.seq for r in records), default=0))
    title = f"blastshield report — {os.path.basename(policy.workspace)}"
    data = collect(records, title=title, generated=utc_now(), log=location, verify=verified, review=reviewed)
    target = os.path.abspath(args.html)
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(render(data))
    except OSError as exc:
        raise UsageError(f"--html {args.html}: cannot write ({exc.strerror})",
                         hint="pick a writable path") from exc
    state = "verified" if verified.ok else "FAILED verification"
    print(f"wrote {args.html}: {len(data.sessions)} session(s), {len(data.actions)} actions,"
          f" {len(data.findings)} finding(s); log {state}")
    return 0 if verified.ok else 4
