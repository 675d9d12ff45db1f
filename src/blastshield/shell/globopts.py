"""Files named like options: what an unquoted glob hands a program as options.

bash expands ``*`` to every matching name, and the program cannot tell a name that starts
with ``-`` from an option. ``touch -- --hidden; rg KEY [-.]* .`` runs ``rg KEY --hidden .``,
and a file named ``--checkpoint-action=exec=sh x.sh`` makes ``tar cf out.tar *`` run a script
(the "wildcard injection"). So, before a command is analysed, every such name a glob matches
is put into its arguments where bash puts it, as the option it will be: the names in the
folder now, and those that earlier commands of the same line write there.

Only globs whose first character is a wildcard can expand to such a name; a glob holding
``/`` expands to paths (``src/*``), which start with their folder, except that a first
component like ``*/x`` could match a folder named like an option (``-L/x``): such words are
rare, and the programs read them as bundles of short options that mostly fail, so they are
left as they are.
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
        if arg.glob and arg.known and arg.text[:1] in "*?[" and "/" not in arg.text:
            if names is None:
                names = _option_names(cwd, ctx)
            if names:
                from fnmatch import fnmatchcase  # rare: only with such a name in the folder

                out.extend(Arg(name) for name in names if fnmatchcase(name, arg.text))
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
