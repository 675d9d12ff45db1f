"""awk and sed: their programs are code (``system()``, ``|getline``, sed's ``e`` and ``w``
commands), read from arguments, ``-f`` files and ``--source``/``-W source=`` options, and their
option forms follow GNU getopt (bundles, attached values, abbreviations) or mawk's ``-W``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell import scripts
from blastshield.shell.command import Cmd, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.opts import Opt, Scan

Handler = Callable[[Cmd, FileContext, Outcome], None]


def _longs(spec: str) -> dict[str, str]:
    """Long options: "name" takes no value, "name=" a value, "name?" an optional one (after '=')."""
    return {word.rstrip("=?"): word[-1] if word[-1] in "=?" else "" for word in spec.split()}


_AWK_LONGS = _longs("characters-as-bytes traditional copyright gen-pot help bignum use-lc-numeric optimize "
                    "non-decimal-data posix re-interval no-optimize sandbox lint-old version csv dump usage "
                    "interactive posix_space repetitions assign= field-separator= file= source= exec= "
                    "include= load= dump-variables? debug? lint? pretty-print? profile? random? sprintf?")
_AWK_SHORT = {"F": "--field-separator", "v": "--assign", "f": "--file", "e": "--source", "E": "--exec",
              "i": "--include", "l": "--load", "d": "--dump-variables", "D": "--debug", "o": "--pretty-print",
              "p": "--profile", "L": "--lint"}
_AWK_WRITES = {"--dump-variables": "awkvars.out", "--pretty-print": "awkprof.out", "--profile": "awkprof.out"}
_SED_LONGS = _longs("quiet silent debug follow-symlinks posix regexp-extended separate sandbox unbuffered "
                    "null-data zero-terminated binary help version expression= file= line-length= in-place?")
_IDENTIFIER_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _getopt(argv: tuple[str, ...], values: str, optional: str, longs: dict[str, str],
            w_long: bool = False) -> Scan:
    """GNU getopt_long as awk and sed use it: a long option may be any unique prefix of its name;
    a short option in ``optional`` takes only an attached value; gawk's ``-W name`` is ``--name``."""
    opts: list[Opt] = []
    positional: list[int] = []
    i, n = 1, len(argv)

    def long(text: str, at: int, text_at: int) -> int:  # the last argument used
        name, eq, value = text.partition("=")
        found = [k for k in longs if k == name] or [k for k in longs if k.startswith(name)]
        full = "--" + (found[0] if len(found) == 1 else name)  # unknown or ambiguous: as given
        if eq:
            opts.append(Opt(full, value, at, text_at if text_at != at else None))
        elif longs.get(full[2:]) == "=" and text_at + 1 < n:
            opts.append(Opt(full, argv[text_at + 1], at, text_at + 1))
            return text_at + 1
        else:
            opts.append(Opt(full, None, at))
        return text_at

    while i < n:
        arg = argv[i]
        if arg == "--":
            positional.extend(range(i + 1, n))
            break
        if arg.startswith("--"):
            i = long(arg[2:], i, i)
        elif arg.startswith("-") and len(arg) > 1:
            for j in range(1, len(arg)):
                letter, rest = arg[j], arg[j + 1:]
                if w_long and letter == "W":  # gawk: -W name is --name
                    i = long(rest, i, i) if rest else long(argv[i + 1], i, i + 1) if i + 1 < n else i
                elif letter in values:
                    opts.append(Opt("-" + letter, rest or (argv[i + 1] if i + 1 < n else None), i,
                                    None if rest or i + 1 >= n else i + 1))
                    i += 0 if rest or i + 1 >= n else 1
                elif letter in optional:
                    opts.append(Opt("-" + letter, rest, i))
                else:
                    opts.append(Opt("-" + letter, None, i))
                    continue
                break
        else:
            positional.append(i)
            if w_long:  # awk: the options end at the program text
                positional.extend(range(i + 1, n))
                break
        i += 1
    return Scan(opts, positional)


def _awk(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = _getopt(cmd.argv, "FvfeEil", "dDopL", _AWK_LONGS, w_long=True)
    for opt in found.opts:
        opt.name = _AWK_SHORT.get(opt.name[1:], opt.name) if len(opt.name) == 2 else opt.name
        form = cmd.argv[opt.index]
        if opt.name.startswith("--") and opt.name[2:] not in _AWK_LONGS:
            out.ask(f"{cmd.name} option {opt.name} is not one this analysis knows", form=form)
        elif opt.name in ("--file", "--exec", "--include", "--load", "--debug"):
            out.ask(f"{cmd.name} {opt.name} runs code or commands from a file", form=form)
            if opt.name != "--load" and opt.value:
                out.effects.extend(ctx.file_effects(Kind.READ, opt.value, _known(cmd, opt), cmd.cwd,
                                                    cmd.name))
        elif opt.name in _AWK_WRITES:
            out.effects.extend(ctx.file_effects(Kind.WRITE, opt.value or _AWK_WRITES[opt.name],
                                                _known(cmd, opt), cmd.cwd, cmd.name))
    pos = found.positional
    texts = [(o.value or "", _known(cmd, o)) for o in found.values("--source")]
    if not texts and not found.values("--file", "--exec") and pos:  # -i adds to the program
        texts.append((cmd.argv[pos[0]], cmd.known[pos[0]]))
        pos = pos[1:]
    for text, known in texts:
        _awk_program(cmd, ctx, out, text, known)
    assigns = not found.has("--exec")  # gawk -E: no command-line assignments
    add_paths(cmd, ctx, out, Kind.READ,  # NAME=VALUE (NAME written out) is an assignment, not a file
              [i for i in pos if not (assigns and _IDENTIFIER_ASSIGNMENT.match(cmd.argv[i]))])


def _known(cmd: Cmd, opt: Opt) -> bool:
    return cmd.known[opt.value_index if opt.value_index is not None else opt.index]


def _awk_program(cmd: Cmd, ctx: FileContext, out: Outcome, text: str, known: bool) -> None:
    """An awk program's floors and effects: what scripts.awk_risk finds, files it names by
    literal, the environment variables it reads, and programs that pick their own input."""
    if not known:
        out.ask(f"{cmd.name} its program is not statically known", form=text)
        return
    joined = text.replace("\\\n", " ")  # a backslash-newline continues the line
    risk = scripts.awk_risk(joined)
    if risk:
        out.ask(f"{cmd.name} {risk}", form=text)
    code, strings = scripts._awk_code(joined)

    def string_at(pos: int) -> str:  # the literal whose quote is at pos ("" for one with escapes)
        index = code.count('"', 0, pos) // 2
        return strings[index] if index < len(strings) and "\\" not in strings[index] else ""

    if re.search(r"\b(ARGV|ARGC|SYMTAB)\b", code):
        out.ask(f"{cmd.name}: the awk program chooses which files it reads (ARGV)", form=text)
    if re.search(r"@\s*[A-Za-z_]", code):
        out.ask(f"{cmd.name} includes files or calls functions by name (gawk's @)", form=text)
    for m in re.finditer(r'(@include\s*|\bgetline\b[^;{}\n|]*<\s*)""', code):
        out.effects.extend(ctx.file_effects(Kind.READ, string_at(m.end() - 2), True, cmd.cwd, cmd.name))
    for m in re.finditer(r'\bprintf?\b[^;{}\n|]*?>>?\s*""', code):
        out.effects.extend(ctx.file_effects(Kind.WRITE, string_at(m.end() - 2), True, cmd.cwd, cmd.name))
    names: set[str] = set()
    for m in re.finditer(r'\bENVIRON\b(\s*\[\s*""\s*\])?', code):
        name = string_at(m.start(1) + m.group(1).index('"')) if m.group(1) else ""
        names.add(name or "*")
    for name in sorted(names):
        effect = Effect.env(name, origin=cmd.name)
        out.effects.append(effect if name != "*" else effect.with_floor(
            Verdict.ASK, "the awk program reads environment variables whose names are not statically known"))


def _sed(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    found = _getopt(argv, "efl", "i", _SED_LONGS)
    for opt in found.opts:
        opt.name = {"-e": "--expression", "-f": "--file", "-i": "--in-place"}.get(opt.name, opt.name)
    pieces = found.values("--expression")
    for opt in found.values("--file"):
        out.ask("sed -f runs a script from a file (it may run commands or write files)", form="-f")
        out.effects.extend(ctx.file_effects(Kind.READ, opt.value or "", _known(cmd, opt), cmd.cwd, "sed"))
    pos = found.positional
    texts = [(o.value or "", _known(cmd, o)) for o in pieces]
    if len(pieces) > 1:  # the pieces run as one script, joined by newlines
        texts.append(("\n".join(text for text, _ in texts), all(known for _, known in texts)))
    if not pieces and not found.values("--file") and pos:
        texts.append((argv[pos[0]], cmd.known[pos[0]]))
        pos = pos[1:]
    for text, known in texts:
        if not known:
            out.ask("sed runs a script that is not statically known", form=text)
            continue
        risk = scripts.sed_risk(text)
        if risk.reason:
            out.ask(f"sed {risk.reason}", form=text)
        for path in risk.reads:
            out.effects.extend(ctx.file_effects(Kind.READ, path, True, cmd.cwd, "sed"))
        for path in risk.writes:
            out.effects.extend(ctx.file_effects(Kind.WRITE, path, True, cmd.cwd, "sed"))
    in_place = [o for o in found.opts if o.name == "--in-place"]
    add_paths(cmd, ctx, out, Kind.WRITE if in_place else Kind.READ, pos)
    suffix = in_place[-1].value if in_place else None
    if suffix:  # GNU sed renames the file to its backup name: '*' is the file's name as given
        if not _known(cmd, in_place[-1]) or cmd.stdin_args or cmd.placeholders:
            out.effects.append(ctx.unknown_path(Kind.WRITE, cmd.cwd, "sed -i", "the backup file sed -i "
                                                "makes has a name not statically known"))
        for i in pos:
            name = suffix.replace("*", argv[i]) if "*" in suffix else argv[i] + suffix
            out.effects.extend(ctx.file_effects(Kind.WRITE, name, cmd.known[i], cmd.cwd, "sed -i"))






HANDLERS: dict[str, Handler] = {
    "awk": _awk, "gawk": _awk, "mawk": _awk, "nawk": _awk, "sed": _sed, "gsed": _sed,
}
