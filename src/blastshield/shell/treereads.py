"""What a grep-like program reads when it searches a folder: which folder, whether hidden files count,
and its include/exclude filters (``policy.treefilter`` says how the policy applies them).

Only filter forms the policy models exactly are recorded; when one cannot be (a glob with ``/``,
``{}`` or ``**``, which match paths rather than names), none of that kind is, so the read counts
as covering more, never less.
"""

from __future__ import annotations

import os

from blastshield.effects import UNREAD_OPTIONS, Kind
from blastshield.shell.opts import Scan

TYPE_CHECKING = False  # typing only for mypy: the hooks import this module
if TYPE_CHECKING:
    from blastshield.shell.command import Cmd, Outcome

_GREP_FILTERS = {"--include": "include", "--exclude": "exclude", "--exclude-dir": "exclude-dir"}
#: How many links deep the policy follows a reader that follows symbolic links.
FOLLOW_DEPTH = 4
_RG_FILTERS = {"-g": "glob", "--glob": "glob", "--iglob": "iglob"}


def may_hide_options(cmd: Cmd) -> bool:
    """Could an argument the analysis cannot read (a substitution, a variable it cannot resolve) be
    an option that widens the read (``--hidden``, ``-L``, ``--include=.env``)? The policy then
    judges the read at its widest too (``effects.UNREAD_OPTIONS``). ``--`` is not trusted to end
    the options: it may be the value of the option before it. (A glob that matches a file named
    like an option is expanded into that option before any of this: ``shell.globopts``.)"""
    if not all(cmd.known[1:]):
        return True
    # Options from the environment: ripgrep's config file (--hidden may be in it), old grep's
    # GREP_OPTIONS; set on the command line, or already in the environment the hook sees.
    variable = {"rg": "RIPGREP_CONFIG_PATH", "grep": "GREP_OPTIONS", "egrep": "GREP_OPTIONS",
                "fgrep": "GREP_OPTIONS"}.get(cmd.name)
    if variable is None or (cmd.name == "rg" and "--no-config" in cmd.argv):
        return False
    if variable in cmd.assigns:  # set by the command: its contents are the agent's
        return True
    value = os.environ.get(variable)
    return bool(value) and (variable == "GREP_OPTIONS" or _config_widens(value or ""))


#: Words in ripgrep options that change which files it reads.
_WIDENING = ("hidden", "-.", "-u", "unrestricted", "ignore", "glob", "-g", "follow", "-L", "type",
             "-t", "-T", "pre")


def _config_widens(path: str) -> bool:
    """Does the user's ripgrep config file (RIPGREP_CONFIG_PATH, one argument a line) hold an
    option that changes which files rg reads? Unreadable counts as yes."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = [line.strip() for line in handle.read(65536).splitlines()]
    except OSError:
        return True
    return any(line and not line.startswith("#") and any(word in line for word in _WIDENING)
               for line in lines)


def mark_unread(cmd: Cmd, out: Outcome, first: int) -> None:
    """Mark the reads added since ``first`` when an argument may hide options."""
    if may_hide_options(cmd):
        narrow(out, first, (UNREAD_OPTIONS,))


def searches_cwd(name: str, found: Scan) -> bool:
    """Does a grep-like program given no file search the current folder, recursively? rg, ag and
    ack always do; grep with -r/-R or ``-d recurse`` does (without, it reads standard input)."""
    if name in ("rg", "ag", "ack"):
        return True
    return found.has("-r", "-R", "--recursive", "--dereference-recursive") or any(
        opt.value == "recurse" for opt in found.values("-d", "--directories"))


def reads_hidden(name: str, found: Scan) -> bool:
    """rg and ag skip hidden files and folders unless told (``--hidden``, ``-.``, ``-uu``, ag's
    ``-u``); the policy then judges them as reading those too."""
    if name == "rg":
        return found.has("--hidden", "-.") or sum(o.name in ("-u", "--unrestricted") for o in found.opts) >= 2
    if name == "ag":
        return found.has("--hidden", "-u", "--unrestricted")
    return False


#: Copy and archive programs that follow symbolic links below the folders they read: by default
#: (zip without -y, scp -r) or when told (cp -L, tar -h, rsync -L/-k/--copy-unsafe-links).
_FOLLOWING = {"cp": ("-L", "--dereference"), "tar": ("-h", "--dereference"),
              "rsync": ("-L", "--copy-links", "-k", "--copy-dirlinks", "--copy-unsafe-links"),
              "rclone": ("-L", "--copy-links")}


def copier_follows(name: str, found: Scan) -> bool:
    if name == "zip":
        return not found.has("-y", "--symlinks")
    if name == "scp":
        return found.has("-r")
    return found.has(*_FOLLOWING.get(name, ()))


def mark_following(out: Outcome, first: int) -> None:
    """The reads the analysis added to ``out`` since ``first`` follow symbolic links."""
    narrow(out, first, (("follow", str(FOLLOW_DEPTH)),))


def follows(name: str, found: Scan) -> bool:
    """grep -R (``--dereference-recursive``) and rg -L (``--follow``) follow symbolic links."""
    if name == "rg":
        return found.has("-L", "--follow")
    return name in ("grep", "egrep", "fgrep") and found.has("-R", "--dereference-recursive")


def honours_gitignore(name: str, found: Scan) -> bool:
    """ripgrep leaves out what .gitignore files name unless told not to (``--no-ignore``,
    ``--no-ignore-vcs``, ``-u``); ag's own ignore handling is not modelled."""
    return name == "rg" and not found.has("--no-ignore", "--no-ignore-vcs", "-u", "--unrestricted")


def filters(name: str, found: Scan, cmd: Cmd) -> tuple[tuple[str, str], ...]:
    """grep's ``--include``/``--exclude``/``--exclude-dir`` and rg's ``-g``/``--iglob``, in order,
    ``("gitignore", "")`` when .gitignore files narrow the search, and ``("follow", depth)`` when
    the program follows symbolic links; ``UNREAD_OPTIONS`` when an argument may hide options."""
    unread = (UNREAD_OPTIONS,) if may_hide_options(cmd) else ()
    follow = (("follow", str(FOLLOW_DEPTH)),) if follows(name, found) else ()
    ignores = (("gitignore", ""),) if honours_gitignore(name, found) else ()
    return _name_filters(name, found) + ignores + follow + unread


def _name_filters(name: str, found: Scan) -> tuple[tuple[str, str], ...]:
    table = _RG_FILTERS if name == "rg" else _GREP_FILTERS if name in ("grep", "egrep", "fgrep") else {}
    found_filters = [(table[o.name], o.value) for o in found.opts if o.name in table and o.value is not None]
    if name == "rg":  # the last matching glob wins: dropping one could narrow the read, so drop all
        if any(_path_glob(glob.removeprefix("!")) for _, glob in found_filters):
            return ()
        return tuple(found_filters)
    # the first --include/--exclude decides for files no glob matches: keep all of them or none
    names = not any(_path_glob(glob) for kind, glob in found_filters if kind != "exclude-dir")
    return tuple((kind, glob) for kind, glob in found_filters
                 if (names and kind != "exclude-dir") or (kind == "exclude-dir" and not _path_glob(glob)))


def tar_filters(found: Scan, cmd: Cmd) -> tuple[tuple[str, str], ...]:
    """GNU tar's ``--exclude=GLOB`` as filters on names: a glob with no ``/`` leaves out every file
    and folder so named, at any depth. tar has no includes, so an exclusion not modelled (a path
    glob, ``--exclude-from``, ``--exclude-vcs``) is simply dropped: the read covers more."""
    out: list[tuple[str, str]] = [UNREAD_OPTIONS] if may_hide_options(cmd) else []
    for opt in found.values("--exclude"):
        glob = opt.value or ""
        if not _path_glob(glob) and "[^" not in glob and "\\" not in glob:
            out += [("exclude", glob), ("exclude-dir", glob)]
    return tuple(out)


def narrow(out: Outcome, first: int, filters: tuple[tuple[str, str], ...]) -> None:
    """The reads the analysis added to ``out`` since ``first`` read only what ``filters`` let through."""
    if filters:
        out.effects[first:] = [e.replace(filters=e.filters + filters) if e.kind is Kind.READ else e
                               for e in out.effects[first:]]


def _path_glob(glob: str) -> bool:
    """A glob the model does not take as a name filter: paths (``/``, ``**``, ``{}``), and forms
    Python's fnmatch reads differently from fnmatch(3) (``[^a]``, ``[[:punct:]]``, ``\\.``)."""
    return not glob or "/" in glob or "{" in glob or "**" in glob or not plain_glob(glob)


def plain_glob(glob: str) -> bool:
    """True when Python's fnmatch matches ``glob`` as fnmatch(3) and bash do."""
    return "[^" not in glob and "[[:" not in glob and "\\" not in glob
