"""git's reading subcommands (diff, log, show, grep, blame, cat-file...): the files and folders
they read, through paths, object names (``HEAD:.env``) and options (``--no-index``,
``--contents``, ``-S``, ``--pathspec-from-file``), and the pager or output files they use."""

from __future__ import annotations

import re

from blastshield.effects import UNREAD_EXTRA, Kind
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.opts import Scan, scan
from blastshield.shell.treereads import mark_unread, may_hide_options, narrow

PATHSPEC = "--pathspec-from-file"


def read_files(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan, *names: str) -> None:
    """Files options name for git to read (``-`` is standard input)."""
    for opt in found.values(*names):
        if opt.value and opt.value != "-":
            at = opt.value_index if opt.value_index is not None else opt.index
            out.effects.extend(ctx.file_effects(Kind.READ, opt.value, cmd.known[at], cmd.cwd,
                                                f"git {cmd.argv[0]}"))


_DIFF_VALUES = ("--output", "--output-directory", "-o", "--src-prefix", "--dst-prefix", "--line-prefix",
                "--relative", "-S", "-G", "--find-object", "--diff-filter", "-O", "--anchored",
                "--word-diff-regex", "--color-moved", "--submodule", "--ignore-submodules",
                "-U", "--unified", "--inter-hunk-context", "--stat-width", "--stat-name-width",
                "--stat-count", "--format", "--pretty", "--author", "--committer", "--grep",
                "--since", "--until", "--after", "--before", "--max-count", "-n", "--skip",
                "--subject-prefix", "--to", "--cc", "--in-reply-to", "--signature-file",
                "--cover-letter", "--base", "--interdiff", "--range-diff", "--prefix",
                "--remote", "--exec", "--format", "-L", "--contents", "--ignore-rev", "--ignore-revs-file")
_OBJECT_PATH = re.compile(r"^[^:\s]*:(?!:)(.+)$")


def object_paths(cmd: Cmd, ctx: FileContext, out: Outcome, indices: list[int]) -> None:
    """``REV:PATH`` and ``:PATH`` name a file's content in history or the index: reading
    them reads that file (relative to the top of the repository, or to the cwd with ./)."""
    for i in indices:
        arg = cmd.argv[i]
        m = _OBJECT_PATH.match(arg)
        if m is None or "://" in arg or arg.startswith(("ext::", "fd::")):
            continue
        path = m.group(1)
        base = cmd.cwd if path.startswith(("./", "../")) else getattr(ctx, "workspace", cmd.cwd)
        out.effects.extend(ctx.file_effects(Kind.READ, path, cmd.known[i], base, "git"))


_READING_HINTS = ("--output", "-o", "--no-index", "/", "~", "../")


def reading(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """diff, log, show, grep, blame, cat-file, format-patch, archive...: pathspecs after
    ``--``, ``REV:PATH`` objects, the folders ``--no-index`` reads, the files blame reads
    and output options."""
    sub = cmd.argv[0]
    for arg in [a for a in cmd.argv[1:] if sub == "cat-file" and a.startswith("--batch")][:1]:
        out.ask(f"git cat-file {arg.partition('=')[0]} prints the objects that standard input names", arg)
    if sub not in ("grep", "format-patch", "blame", "annotate") and not any(
            ":" in a or a == "--" or a.startswith(_READING_HINTS) for a in cmd.argv[1:]):
        return  # no pathspec, object path, output option or outside path: nothing to add
    blame = sub in ("blame", "annotate")
    found = scan(cmd.argv, short_values="efmABC" if sub == "grep" else "LS" if blame else "onSGOUL",
                 long_values=("--max-depth", "--threads") if sub == "grep" else _DIFF_VALUES)
    argv = cmd.argv
    dashdash = argv.index("--") if "--" in argv else len(argv)
    before = [i for i in found.positional if i < dashdash]
    after = [i for i in found.positional if i > dashdash]
    object_paths(cmd, ctx, out, before)
    if sub in ("diff", "grep"):
        after = _searched(cmd, ctx, out, found, before, after)
    elif blame:  # the file blamed, the --contents it is blamed as, revisions files (-S)
        read_files(cmd, ctx, out, found, "--contents", "-S", "--ignore-revs-file")
        add_paths(cmd, ctx, out, Kind.READ, before, f"git {sub}")
    add_paths(cmd, ctx, out, Kind.READ, after, f"git {sub}")
    for opt in found.values("--output", "-o", "--output-directory"):
        if opt.name == "-o" and sub not in ("format-patch", "archive"):
            continue
        at = opt.value_index if opt.value_index is not None else opt.index
        out.effects.extend(ctx.file_effects(Kind.WRITE, opt.value or "", cmd.known[at], cmd.cwd,
                                            f"git {sub}"))
    if sub == "grep":
        _grep_pager(cmd, out)
    elif sub == "format-patch" and not found.values("-o", "--output-directory") and \
            not found.has("--stdout"):
        out.effects.extend(ctx.file_effects(Kind.WRITE, "./*.patch", True, cmd.cwd, "git format-patch"))


def _searched(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan, before: list[int],
              after: list[int]) -> list[int]:
    """``grep --no-index``/``--untracked`` and ``diff --no-index`` (also when a path is outside the
    work tree) read untracked files: tree reads of the folders given (or the current one), narrowed
    by .gitignore for ``--untracked`` and ``--exclude-standard``. Else the pathspecs after ``--``
    (returned) are; an argument the analysis cannot read may be ``--no-index``."""
    grep = cmd.argv[0] == "grep"
    if grep:
        read_files(cmd, ctx, out, found, "-f")
    wide = found.has("--no-index", "--untracked") if grep else found.has("--no-index") or any(
        cmd.argv[i].startswith(("/", "~", "../")) for i in before)
    first = len(out.effects)
    if not wide:
        if grep and may_hide_options(cmd):
            out.effects.extend(e.replace(filters=(UNREAD_EXTRA,))
                               for e in ctx.file_effects(Kind.READ, ".", True, cmd.cwd, "git-grep"))
        return after
    paths = (before if not grep or found.values("-e", "-f") else before[1:]) + after
    add_paths(cmd, ctx, out, Kind.READ, paths, "git-grep")
    if grep and not paths:
        out.effects.extend(ctx.file_effects(Kind.READ, ".", True, cmd.cwd, "git-grep"))
    if grep and (found.has("--exclude-standard") if found.has("--no-index")
                 else not found.has("--no-exclude-standard")):
        narrow(out, first, (("gitignore", ""),))
    mark_unread(cmd, out, first)
    return []


def _grep_pager(cmd: Cmd, out: Outcome) -> None:
    """``git grep -O[CMD]`` / ``--open-files-in-pager[=CMD]`` runs CMD on the matching files."""
    for arg in cmd.argv[1:]:
        if arg == "--":
            return
        value: str | None = None
        name, _, given = arg.partition("=")
        if len(name) > 3 and "--open-files-in-pager".startswith(name):  # git takes abbreviations
            value = given or "less"
        elif arg.startswith("-") and not arg.startswith("--"):
            for j, letter in enumerate(arg[1:], 1):
                if letter in "efmABC":
                    break
                if letter == "O":
                    value = arg[j + 1:]
                    break
        if value:
            out.ask("git grep -O runs the given program on the matching files", form="-O")
            out.inner.append(Inner("git grep -O", script=value))


