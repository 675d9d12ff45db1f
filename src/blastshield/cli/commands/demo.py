"""The whole story on a bundled example, in a throwaway repository with a throwaway HOME.

No network; nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import argparse

NAME = "demo"
HELP = "show blastshield at work on a bundled example"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", action="store_true", help="keep the demo repository and print its path")
    parser.add_argument("--report", default="", metavar="FILE",
                        help="where to write the HTML report (default: .demo/blastshield-report.html)")


def run(args: argparse.Namespace) -> int:
    from blastshield.demo import run_demo

    return run_demo(keep=args.keep, report=args.report)
