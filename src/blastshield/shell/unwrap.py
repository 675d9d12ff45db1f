"""Wrappers: programs that run another command or a shell string.

Each wrapper yields :class:`~blastshield.shell.command.Inner` items (an argv, or a
script text analysed as a whole command line); the walker analyses them recursively,
so ``sudo env FOO=1 nice -n 5 bash -c 'git push'`` meets ``git push *``. Both the
wrapper and the inner command are exec effects.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell.codeprog import run_file
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.effects import find_root_paths, program
from blastshield.shell.files import FileContext
from blastshield.shell.opts import scan

Unwrapper = Callable[[Cmd, FileContext, Outcome], None]

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "tcsh", "csh",
                    "rbash", "yash", "posh", "pdksh", "oksh", "loksh", "elvish", "nu", "xonsh"})


@dataclass(frozen=True, slots=True)
class Wrap:
    """How a generic wrapper is read: its options, then ``skip`` operands, then the command."""

    short: str = ""  # short options that take a value
    long: tuple[str, ...] = ()  # long options that take the next argument as value
    skip: int = 0  # operands before the command (timeout's DURATION, flock's FILE, ...)
    script_opts: tuple[str, ...] = ()  # options whose value is a shell command string
    no_run: tuple[str, ...] = ()  # options that mean nothing is run (command -v)
    join: bool = False  # the words are joined and run by a shell (watch, sg)
    assigns: bool = False  # NAME=VALUE words before the command (sudo)
    remote: bool = False


WRAPPERS: dict[str, Wrap] = {
    "sudo": Wrap("ugpChDRTUrt", ("--user", "--group", "--prompt", "--close-from", "--chdir",
                                 "--role", "--type", "--other-user", "--host",
                                 "--command-timeout"), no_run=("-l", "--list", "-v", "--validate",
                                                               "-k", "-K", "-V"), assigns=True),
    "doas": Wrap("uC", no_run=("-C",)),
    "pkexec": Wrap("", ("--user",)),
    "nohup": Wrap(), "setsid": Wrap(), "unbuffer": Wrap(), "catchsegv": Wrap(),
    "time": Wrap("fo", ("--format", "--output")), "builtin": Wrap(),
    "command": Wrap(no_run=("-v", "-V")), "exec": Wrap("a"), "coproc": Wrap(),
    "nice": Wrap("n", ("--adjustment",)), "ionice": Wrap("cnpPu", no_run=("-p", "-P", "-u")),
    "chrt": Wrap("TPD", skip=1, no_run=("-p", "--pid", "-m", "--max")),
    "taskset": Wrap("", skip=1, no_run=("-p", "--pid")),
    "timeout": Wrap("sk", ("--signal", "--kill-after"), skip=1),
    "stdbuf": Wrap("ioe", ("--input", "--output", "--error")),
    "flock": Wrap("wEc", ("--timeout", "--conflict-exit-code", "--command"), skip=1,
                  script_opts=("-c", "--command")),
    "chroot": Wrap("", ("--userspec", "--groups"), skip=1),
    "script": Wrap("cEIOBTm", ("--command", "--echo", "--log-in", "--log-out", "--log-io",
                               "--log-timing", "--logging-format", "--output-limit"),
                   script_opts=("-c", "--command"), skip=99),
    "watch": Wrap("nd", ("--interval", "--differences"), join=True),
    "sg": Wrap("", skip=1, script_opts=("-c",), join=True),
    "gosu": Wrap(skip=1), "su-exec": Wrap(skip=1), "chpst": Wrap("uUbenlmdofpcr"),
    "setpriv": Wrap("", ("--reuid", "--regid", "--groups", "--inh-caps", "--ambient-caps",
                         "--bounding-set", "--securebits", "--selinux-label", "--apparmor-profile")),
    "prlimit": Wrap("p", ("--pid",)), "numactl": Wrap("CNmpPi"), "cgexec": Wrap("g"),
    "systemd-run": Wrap("pEuM", ("--property", "--setenv", "--unit", "--uid", "--gid", "--slice",
                                 "--description", "--working-directory", "--machine", "--on-active",
                                 "--on-calendar", "--timer-property", "--path-property",
                                 "--socket-property", "--nice")),
    "torsocks": Wrap("uapP"), "proxychains": Wrap("f"), "proxychains4": Wrap("f"),
    "firejail": Wrap(), "xvfb-run": Wrap("nsefwpl", ("--server-num", "--server-args",
                                                      "--error-file", "--auth-file", "--wait",
                                                      "--xauth-protocol")),
    "dbus-run-session": Wrap("", ("--config-file", "--dbus-daemon")), "dbus-launch": Wrap(),
    "strace": Wrap("oepsuEabIOPSX"), "ltrace": Wrap("oepsuna"), "valgrind": Wrap(),
    "unshare": Wrap("S G R w", ("--map-user", "--map-group", "--root", "--wd", "--setuid",
                                "--setgid", "--propagation", "--setgroups", "--kill-child")),
    "nsenter": Wrap("tSGwr", ("--target", "--setuid", "--setgid", "--wd", "--root")),
    "tini": Wrap("psel"), "dumb-init": Wrap("r"), "rlwrap": Wrap("aAbcCDfFHlmMoOpPqsSwz"),
    "caffeinate": Wrap("tw"), "retry": Wrap("tdm"), "entr": Wrap(""),
    "ssh-agent": Wrap("aEtP"), "dotenv": Wrap("fev"), "with-contenv": Wrap(),
    "runuser": Wrap("ugGcsw", ("--user", "--group", "--supp-group", "--command", "--shell",
                               "--session-command", "--whitelist-environment"),
                    script_opts=("-c", "--command", "--session-command")),
    "su": Wrap("cgGsw", ("--command", "--session-command", "--group", "--supp-group", "--shell",
                         "--whitelist-environment"), script_opts=("-c", "--command",
                                                                  "--session-command"),
               skip=99),
}


def unwrap(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """Add what ``cmd`` runs in turn to ``out.inner`` (and the wrapper's own floors)."""
    name = program(cmd.argv[0])
    special = SPECIAL.get(name)
    if special is not None:
        special(cmd, ctx, out)
    elif name in SHELLS:
        _shell(cmd, ctx, out)
    elif name in WRAPPERS:
        _generic(cmd, ctx, out, WRAPPERS[name])


def _generic(cmd: Cmd, ctx: FileContext, out: Outcome, wrap: Wrap, start: int = 1) -> None:
    found = scan(cmd.argv, start, short_values=wrap.short, long_values=wrap.long,
                 stop_at_positional=True)
    for opt in found.values(*wrap.script_opts):
        _script(cmd, out, opt.value or "", f"{cmd.name} {opt.name}",
                opt.value_index if opt.value_index is not None else opt.index)
    if found.has(*wrap.no_run) or found.values(*wrap.script_opts):
        return
    for opt in found.values("--chdir", "-D", "--working-directory", "--wd"):
        if cmd.name in ("sudo", "systemd-run", "unshare", "nsenter"):
            return _generic_at(cmd, ctx, out, wrap, found.positional, opt.value)
    _generic_at(cmd, ctx, out, wrap, found.positional, None)


def _generic_at(cmd: Cmd, ctx: FileContext, out: Outcome, wrap: Wrap, positional: list[int],
                chdir: str | None) -> None:
    pos = positional[wrap.skip:]
    if cmd.name == "flock" and positional and cmd.argv[positional[0]].isdigit():
        return
    if not pos:
        return
    start = pos[0]
    assigns: dict[str, str | None] = {}
    if wrap.assigns:
        while start < len(cmd.argv) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", cmd.argv[start]):
            key, _, value = cmd.argv[start].partition("=")
            assigns[key] = value if cmd.known[start] else None
            start += 1
        if start >= len(cmd.argv):
            return
    origin = cmd.name
    if wrap.join or (cmd.name == "sudo" and _has_flag(cmd, ("-s", "-i", "--shell", "--login"))):
        text = " ".join(cmd.argv[start:])
        _script(cmd, out, text, origin, start, all_known=all(cmd.known[start:]),
                download=any(cmd.dl[start:]))
        return
    cwd = None
    if chdir is not None:
        import os

        cwd = os.path.normpath(os.path.join(cmd.cwd, chdir))
    inner = cmd.tail(start, origin=origin, cwd=cwd)
    inner.assigns.update(assigns)
    out.inner.append(Inner(origin, cmd=inner))


def _has_flag(cmd: Cmd, flags: tuple[str, ...]) -> bool:
    for arg in cmd.argv[1:]:
        if not arg.startswith("-"):
            return False
        if arg in flags or (not arg.startswith("--") and any(f[1] in arg[1:] for f in flags
                                                              if len(f) == 2)):
            return True
    return False


def _script(cmd: Cmd, out: Outcome, text: str, origin: str, index: int, *,
            all_known: bool | None = None, download: bool | None = None,
            positional: tuple[str, ...] = ()) -> None:
    """A shell command string: analyse it as a command line of its own."""
    known = cmd.known[index] if all_known is None else all_known
    dl = cmd.dl[index] if download is None else download
    if dl:
        out.deny(f"{origin} runs commands built from a download")
    if not known:
        out.unresolved(f"{origin} runs a command string that is not statically known")
    out.inner.append(Inner(origin, script=text, positional=positional, remote=cmd.remote))


# --------------------------------------------------------------------- shells
def _shell(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="oO", long_values=("--rcfile", "--init-file"),
                 plus_options=True)
    for opt in found.values("--rcfile", "--init-file"):
        out.ask(f"{cmd.name} {opt.name} runs a start-up file", form=opt.name)
    # options end at the first operand; re-scan so that "bash script.sh -c x" is not -c
    first = found.positional[0] if found.positional else len(cmd.argv)
    option_names = {o.name for o in found.opts if o.index < first}
    if "-c" in option_names:
        if not found.positional:
            return
        i = found.positional[0]
        _script(cmd, out, cmd.argv[i], f"{cmd.name} -c", i,
                positional=tuple(cmd.argv[i + 1:]))
        return
    if "-s" in option_names or not found.positional:
        run_file(cmd, ctx, out, None, shell=True)
        return
    run_file(cmd, ctx, out, found.positional[0], shell=True)


def _eval(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) < 2:
        return
    _script(cmd, out, " ".join(cmd.argv[1:]), "eval", 1, all_known=all(cmd.known[1:]),
            download=any(cmd.dl[1:]))


def _source(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) < 2:
        return
    out.unresolved(f"'{cmd.argv[0]}' runs the commands of a file in this shell")
    run_file(cmd, ctx, out, 1, shell=True)


def _env(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="uCSP", long_values=("--unset", "--chdir", "--split-string"),
                 stop_at_positional=True)
    argv = list(cmd.argv[: found.positional[0]] if found.positional else cmd.argv)
    words: list[tuple[str, bool, bool]] = []
    for opt in found.values("-S", "--split-string"):
        at = opt.value_index if opt.value_index is not None else opt.index
        try:
            parts = shlex.split(opt.value or "")
        except ValueError:
            out.unresolved("env -S has a string that cannot be split with certainty")
            parts = (opt.value or "").split()
        words.extend((p, cmd.known[at], cmd.dl[at]) for p in parts)
    for i in found.positional:
        words.append((cmd.argv[i], cmd.known[i], cmd.dl[i]))
    del argv
    assigns: dict[str, str | None] = {}
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0][0]):
        key, _, value = words[0][0].partition("=")
        assigns[key] = value if words[0][1] else None
        words.pop(0)
    if not words:
        out.effects.append(Effect.env("*", origin="env").with_floor(
            Verdict.ASK, "'env' without a command prints every environment variable"))
        return
    cwd = None
    chdir = found.values("-C", "--chdir")
    if chdir:
        import os

        cwd = os.path.normpath(os.path.join(cmd.cwd, chdir[0].value or ""))
    inner = Cmd(tuple(w[0] for w in words), tuple(w[1] for w in words), tuple(w[2] for w in words),
                cwd or cmd.cwd, "env", cmd.stdin, {**cmd.assigns, **assigns}, dict(cmd.placeholders),
                cmd.stdin_args, cmd.remote)
    out.inner.append(Inner("env", cmd=inner))


def _sudo(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if cmd.name == "sudoedit" or _has_flag(cmd, ("-e", "--edit")):
        found = scan(cmd.argv, short_values=WRAPPERS["sudo"].short, long_values=WRAPPERS["sudo"].long)
        for i in found.positional:
            out.effects.extend(ctx.file_effects(Kind.WRITE, cmd.argv[i], cmd.known[i], cmd.cwd,
                                                "sudoedit"))
        return
    _generic(cmd, ctx, out, WRAPPERS["sudo"])


def _nice(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    start = 2 if len(cmd.argv) > 1 and re.fullmatch(r"-\d+|--\d+", cmd.argv[1]) else 1
    _generic(cmd, ctx, out, WRAPPERS["nice"], start)


def _watch(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if _has_flag(cmd, ("-x", "--exec")):
        _generic(cmd, ctx, out, Wrap("nd", ("--interval", "--differences")))
    else:
        _generic(cmd, ctx, out, WRAPPERS["watch"])


def _su(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    wrap = WRAPPERS[cmd.name]
    found = scan(cmd.argv, short_values=wrap.short, long_values=wrap.long)
    for opt in found.values(*wrap.script_opts):
        _script(cmd, out, opt.value or "", f"{cmd.name} {opt.name}",
                opt.value_index if opt.value_index is not None else opt.index)
    if cmd.name == "runuser" and found.values("-u", "--user") and not found.values(*wrap.script_opts):
        _generic(cmd, ctx, out, Wrap(wrap.short, wrap.long))


def _xargs(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="adEILnPs",
                 long_values=("--arg-file", "--delimiter", "--eof", "--max-lines", "--max-args",
                              "--max-procs", "--max-chars", "--process-slot-var"),
                 stop_at_positional=True)
    for opt in found.values("-a", "--arg-file"):
        out.effects.extend(ctx.file_effects(Kind.READ, opt.value or "", True, cmd.cwd, "xargs"))
    replace = [o.value for o in found.values("-I", "--replace") if o.value]
    if found.has("-i") or any(o.name == "--replace" and o.value is None for o in found.opts):
        replace.append("{}")
    if found.positional:
        inner = cmd.tail(found.positional[0], origin="xargs", stdin=None, stdin_args=not replace)
        inner.stdin = None
    else:
        inner = cmd.derived(("echo",), origin="xargs", stdin_args=True)
    for token in replace:
        inner.placeholders[token] = ()
        inner.known = tuple(k and token not in a for a, k in zip(inner.argv, inner.known, strict=True))
        if inner.argv and token in inner.argv[0]:
            inner.known = (False, *inner.known[1:])
    out.inner.append(Inner("xargs", cmd=inner))


def _find(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    roots = find_root_paths(cmd)
    i = 1
    while i < len(argv):
        if argv[i] in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(argv) and argv[j] not in (";", "+"):
                j += 1
            if j > i + 1:
                inner = cmd.tail(i + 1, origin="find " + argv[i], stdin=None)
                inner = Cmd(argv[i + 1: j], cmd.known[i + 1: j], cmd.dl[i + 1: j], cmd.cwd,
                            "find " + argv[i], None, dict(cmd.assigns), {"{}": roots}, False,
                            cmd.remote)
                if inner.argv and "{}" in inner.argv[0]:
                    inner.known = (False, *inner.known[1:])
                out.inner.append(Inner("find " + argv[i], cmd=inner))
            i = j
        i += 1


_PARALLEL_VALUES = ("--jobs", "--sshlogin", "--arg-file", "--colsep", "--results", "--joblog",
                    "--delay", "--timeout", "--tmpdir", "--basefile", "--workdir", "--env",
                    "--tag-string", "--max-procs", "--halt", "--retries", "--memfree", "--load",
                    "--max-args", "--max-replace-args", "--max-lines", "--sshloginfile",
                    "--return", "--transferfile", "--termseq", "--rpl", "--shebang-wrap")
_PARALLEL_PLACEHOLDER = re.compile(r"\{(?:\d*(?:\.|/|//|/\.|#|%)?|\d+)\}")


def _parallel(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="jSaIENnLP", long_values=_PARALLEL_VALUES,
                 stop_at_positional=True)
    from blastshield.shell.netprog import net

    for opt in found.values("-S", "--sshlogin"):
        for login in (opt.value or "").split(","):
            host = login.rsplit("@", 1)[-1].split("/")[-1]
            if host and host != ":":
                net(out, host.lower(), 22, "parallel -S")
    argv = cmd.argv
    if not found.positional:
        run_file(cmd, ctx, out, None, shell=True)
        return
    start = found.positional[0]
    end = start
    while end < len(argv) and not argv[end].startswith(":::"):
        end += 1
    words = list(argv[start:end])
    if not words:
        run_file(cmd, ctx, out, None, shell=True)
        return
    args = [a for a in argv[end + 1:] if not a.startswith(":::")] if end < len(argv) else []
    literal = end < len(argv) and argv[end] in (":::", ":::+") and all(cmd.known[end + 1:]) \
        and 0 < len(args) <= 16
    template = " ".join(words)
    if literal:
        for value in args:
            text = _PARALLEL_PLACEHOLDER.sub(value, template)
            if text == template:
                text = f"{template} {value}"
            out.inner.append(Inner("parallel", script=text))
    else:
        text = _PARALLEL_PLACEHOLDER.sub('"$PARALLEL_ARG"', template)
        if text == template:
            text += ' "$PARALLEL_ARG"'
        out.inner.append(Inner("parallel", script=text))
    if not all(cmd.known[start:end]):
        out.unresolved("parallel runs a command template that is not statically known")


def _busybox(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) > 1:
        out.inner.append(Inner("busybox", cmd=cmd.tail(1, origin="busybox")))


def _trap(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) > 2 and cmd.argv[1] not in ("-", "", "-p", "-l", "--"):
        _script(cmd, out, cmd.argv[1], "trap", 1)


def _container_exec(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    if len(argv) < 3 or argv[1] not in ("exec", "debug", "run"):
        return
    if cmd.name in ("kubectl", "oc"):
        if "--" in argv:
            at = argv.index("--") + 1
            if at < len(argv):
                inner = cmd.tail(at, origin=f"{cmd.name} {argv[1]}")
                inner.remote = True
                out.inner.append(Inner(f"{cmd.name} {argv[1]}", cmd=inner, remote=True))
        return
    if argv[1] != "exec":
        return
    found = scan(argv, 2, short_values="euw", long_values=("--env", "--env-file", "--user",
                                                           "--workdir", "--detach-keys"),
                 stop_at_positional=True)
    if len(found.positional) >= 2:
        inner = cmd.tail(found.positional[1], origin=f"{cmd.name} exec")
        inner.remote = True
        out.inner.append(Inner(f"{cmd.name} exec", cmd=inner, remote=True))


def _run_sub(subs: tuple[str, ...], short: str = "", long: tuple[str, ...] = (),
             skip: int = 0) -> Unwrapper:
    """``poetry run CMD``, ``uv run CMD``, ``bundle exec CMD``, ``conda run -n env CMD``."""

    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        head = scan(cmd.argv, long_values=("--directory", "--project", "--python", "--cwd"),
                    stop_at_positional=True)
        if not head.positional or cmd.argv[head.positional[0]] not in subs:
            return
        _generic(cmd, ctx, out, Wrap(short, long, skip=skip), head.positional[0] + 1)

    return handle


def _nix_shell(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for i, arg in enumerate(cmd.argv[:-1]):
        if arg in ("--run", "--command"):
            _script(cmd, out, cmd.argv[i + 1], f"nix-shell {arg}", i + 1)


def _scheduler(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if cmd.name == "crontab":
        if any(a in ("-l", "-r") for a in cmd.argv[1:]):
            return
        out.unresolved("crontab installs commands that run later, unseen")
        return
    out.unresolved(f"{cmd.name} schedules commands that run later")
    run_file(cmd, ctx, out, None, shell=True)


def _terminal(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    if cmd.name == "tmux":
        for i, arg in enumerate(argv):
            if arg in ("send-keys", "send", "paste-buffer", "pasteb"):
                out.unresolved("tmux send-keys types commands into a terminal")
                return
            if arg in ("run-shell", "run", "new-session", "new", "new-window", "neww",
                       "split-window", "splitw", "respawn-pane", "respawn-window"):
                rest = scan(argv, i + 1, short_values="cnstxyFeSlp", stop_at_positional=True)
                if rest.positional:
                    start = rest.positional[0]
                    _script(cmd, out, " ".join(argv[start:]), f"tmux {arg}", start,
                            all_known=all(cmd.known[start:]))
                return
    elif cmd.name == "screen":
        if "-X" in argv or "stuff" in argv:
            out.unresolved("screen -X sends commands to a session")
            return
        found = scan(argv, short_values="SstcTLhp", stop_at_positional=True)
        if found.positional:
            out.inner.append(Inner("screen", cmd=cmd.tail(found.positional[0], origin="screen")))


SPECIAL: dict[str, Unwrapper] = {
    "eval": _eval, "source": _source, ".": _source, "env": _env, "sudo": _sudo,
    "sudoedit": _sudo, "nice": _nice, "watch": _watch, "su": _su, "runuser": _su,
    "xargs": _xargs, "find": _find, "parallel": _parallel, "sem": _parallel, "busybox": _busybox,
    "trap": _trap, "kubectl": _container_exec, "oc": _container_exec, "docker": _container_exec,
    "podman": _container_exec, "nix-shell": _nix_shell, "at": _scheduler, "batch": _scheduler,
    "crontab": _scheduler, "tmux": _terminal, "screen": _terminal,
    "poetry": _run_sub(("run",)), "pipenv": _run_sub(("run",)), "pdm": _run_sub(("run",)),
    "hatch": _run_sub(("run",)), "rye": _run_sub(("run",)),
    "uv": _run_sub(("run",), "pw", ("--with", "--python", "--from", "--env-file", "--package",
                                    "--extra", "--group", "--index", "--directory", "--project")),
    "bundle": _run_sub(("exec",)), "conda": _run_sub(("run",), "np", ("--name", "--prefix")),
    "mamba": _run_sub(("run",), "np", ("--name", "--prefix")), "pnpm": _run_sub(("exec",)),
    "nix": _run_sub(("develop", "shell")), "direnv": _run_sub(("exec",), skip=1),
}
