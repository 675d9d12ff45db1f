"""Format templates: the slots of '%s' / '{}' strings and what a piece placed in one can still do.

A piece after a fixed ``scheme://host/`` cannot change the host; one in an SQL identifier slot (after
FROM, INTO, ...) is a name code usually supplies. ``'%(name)s' % locals()`` and
``'{name}'.format(**locals())`` read each named slot from the local of that name.
"""

from __future__ import annotations

import ast

from blastshield.scan.lazyre import lazy
from blastshield.scan.python import sinks
from blastshield.scan.python.values import PARAM, SLOT, UNKNOWN, URL_PATH_SLOT, Val

PERCENT_SLOT = lazy(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcaou]")
BRACE_SLOT = lazy(r"\{[^{}]*\}")
PERCENT_NAME = lazy(r"%\((\w+)\)[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcaou]")  # %(name)s
BRACE_NAME = lazy(r"\{([A-Za-z_]\w*)[^{}]*\}")  # {name}, {name.attr}, {name!r:>10}


def slot_sanitise(piece: Val, prefix: str) -> Val:
    """``piece`` as placed after ``prefix`` in a template: safe for what that place rules out."""
    cwes = sinks.string_slot_safety(prefix)
    if not cwes:
        return piece
    weak_only = cwes & {89}
    strong = cwes - weak_only
    if 918 in strong and "://" in prefix and "?" not in prefix and "#" not in prefix:
        strong = strong | {URL_PATH_SLOT}  # the host is fixed, the path is not
    out = piece.sanitised(strong) if strong else piece
    if weak_only:
        out = Val(frozenset(o.sanitised(weak_only | {SLOT}) if o.kind in (PARAM, UNKNOWN) else o
                            for o in out.origins),
                  out.built, out.text)
    return out


def reads_locals(node: ast.expr) -> bool:
    """``locals()`` / ``vars()``: the function's own variables, by name."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
        "locals", "vars") and not node.args and not node.keywords
