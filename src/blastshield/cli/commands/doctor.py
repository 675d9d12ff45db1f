"""Show which sandbox layers this machine supports, and how to get the missing ones.

Each line: the layer, available or missing, what was found, what the layer enforces
and (when missing) how to get it. Exit 0 when every layer is there, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "doctor"
HELP = "show which sandbox layers (bubblewrap, user namespaces, Landlock, seccomp) this machine has"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from blastshield.sandbox.layers import probe_layers

    found = probe_layers(deep=True)
    if args.json:
        print(json.dumps({"version": 1, "layers": [
            {"name": layer.name, "available": layer.available, "detail": layer.detail,
             "enforces": layer.enforces, "remedy": layer.remedy} for layer in found]}, indent=2))
    else:
        width = max(len(layer.name) for layer in found)
        for layer in found:
            state = "ok     " if layer.available else "MISSING"
            print(f"{layer.name:<{width}}  {state}  {layer.detail}")
            print(f"{'':<{width}}           enforces: {layer.enforces}")
            if not layer.available:
                print(f"{'':<{width}}           get it: {layer.remedy}")
        missing = [layer.name for layer in found if not layer.available]
        if missing:
            print(f"\n`blastshield run` refuses to start without {', '.join(missing)} "
                  "unless --allow-weaker is given.", file=sys.stdout)
        else:
            print("\nevery layer is available: `blastshield run -- CMD` enforces the whole policy.")
    return 0 if all(layer.available for layer in found) else 1
