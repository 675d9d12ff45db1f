"""Files named like options: what an unquoted glob hands a program as options.

bash expands ``*`` to every matching name, and the program cannot tell a name that starts
with ``-`` from an option. ``touch -- --hidden; rg KEY [-.]* .`` runs ``rg KEY --hidden .``,
and a file named ``--checkpoint-action=exec=sh x.sh`` makes ``tar cf out.tar *`` run a script
(the "wildcard injection"). So, before a command is analysed, every such name a glob matches
is put into its arguments where bash puts it, as the option it will be: the names in the
folder now, and those that earlier commands of the same line write there.

A glob can expand to such a name when its first path component holds a wildcard and starts
with one or with ``-`` (``*``, ``[^a]*``, ``"-"*``). Every such name that starts with the
glob's literal beginning is put in (bash's own matching, with classes Python's fnmatch reads
differently, decides the rest: taking more is only stricter). A glob holding ``/`` whose first
component could match a folder named like an option (``*/x`` with a folder ``--pre=z``) is
judged as an argument the analysis cannot read.
"""

from __future__ import annotations

import os

from blastshield.shell.parse import Arg

TYPE_CHECKING = False  # typing only for mypy: the hooks import this module
if TYPE_CHECKING:
    from blastshield.shell.files import FileContext


def with_option_names(args: list[Arg], cwd: str, ctx: FileContext) -> list[Arg]:
    """``args`` with the option-like names each glob matches put before it (sorted, as bash sorts
    them in the C locale, where ``-`` comes before letters and digits)."""
    if not any(arg.glob for arg in args[1:]):
        return args
    out = args[:1]
    names: list[str] | None = None
    for arg in args[1:]:
        first = arg.text.split("/", 1)[0]
        if arg.glob and arg.known and any(ch in first for ch in "*?[") and first[:1] in "-*?[":
            if names is None:
                names = _option_names(cwd, ctx)
            literal = first[:min((first.find(ch) for ch in "*?[" if ch in first), default=len(first))]
            hits = [name for name in names if name.startswith(literal)]  # may match: bash decides
            if hits and "/" in arg.text:  # `*/x` with a folder `--pre=z`: which option is unknown
                out.append(Arg(arg.text, False, arg.download))
                continue
            out.extend(Arg(name) for name in hits)
        out.append(arg)
    return out


def _option_names(cwd: str, ctx: FileContext) -> list[str]:
    """Names starting with ``-`` in ``cwd``, now or once this line's earlier writes are done."""
    ctx.fs_dependent = True  # the analysis looked at the file system: not cached
    folder = os.path.normpath(cwd)
    found = {os.path.basename(path) for path in ctx.written
             if os.path.dirname(path) == folder and os.path.basename(path).startswith("-")}
    try:
        with os.scandir(folder) as entries:
            found.update(entry.name for entry in entries if entry.name.startswith("-"))
    except OSError:
        pass
    return sorted(found)
