"""Generic wrappers: programs that run the command given after their own options
(``sudo``, ``nice``, ``timeout``, ``flock``, ``chroot``...), read from one table, and
command strings handed to a shell (``-c STRING``).

Each yields :class:`~blastshield.shell.command.Inner` items that the walker analyses
recursively; both the wrapper and the inner command are exec effects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import NamedTuple

from blastshield.effects import Kind
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths, path_opts
from blastshield.shell.opts import scan

Unwrapper = Callable[[Cmd, FileContext, Outcome], None]

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "tcsh", "csh",
                    "rbash", "yash", "posh", "pdksh", "oksh", "loksh", "elvish", "nu", "xonsh"})


class Wrap(NamedTuple):
    """How a generic wrapper is read: its options, then ``skip`` operands, then the command."""

    short: str = ""  # short options that take a value
    long: tuple[str, ...] = ()  # long options that take the next argument as value
    skip: int = 0  # operands before the command (timeout's DURATION, flock's FILE, ...)
    script_opts: tuple[str, ...] = ()  # options whose value is a shell command string
    no_run: tuple[str, ...] = ()  # options that mean nothing is run (command -v)
    join: bool = False  # the words are joined and run by a shell (watch, sg)
    assigns: bool = False  # NAME=VALUE words before the command (sudo)
    remote: bool = False
    writes: tuple[str, ...] = ()  # options whose value is a file the wrapper writes (time -o)
    writes_operand: bool = False  # its first operand is a file it writes (script's typescript)
    reads: tuple[str, ...] = ()  # options whose value is a file or folder it reads (dotenv -f)


WRAPPERS: dict[str, Wrap] = {
    "sudo": Wrap("ugpChDRTUrt", ("--user", "--group", "--prompt", "--close-from", "--chdir",
                                 "--role", "--type", "--other-user", "--host",
                                 "--command-timeout"), no_run=("-l", "--list", "-v", "--validate",
                                                               "-k", "-K", "-V"), assigns=True),
    "doas": Wrap("uC", no_run=("-C",)),
    "pkexec": Wrap("", ("--user",)),
    "nohup": Wrap(), "setsid": Wrap(), "unbuffer": Wrap(), "catchsegv": Wrap(),
    "time": Wrap("fo", ("--format", "--output"), writes=("-o", "--output")), "builtin": Wrap(),
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
                   script_opts=("-c", "--command"), skip=99,
                   writes=("-O", "--log-out", "-I", "--log-in", "-B", "--log-io", "-T",
                           "--log-timing"), writes_operand=True),
    "watch": Wrap("nd", ("--interval", "--differences"), join=True),
    "sg": Wrap("", skip=1, script_opts=("-c",), join=True),
    "gosu": Wrap(skip=1), "su-exec": Wrap(skip=1), "chpst": Wrap("uUbenlmdofpcr", reads=("-e",)),
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
                                                      "--xauth-protocol"),
                         writes=("-e", "--error-file", "-f", "--auth-file")),
    "dbus-run-session": Wrap("", ("--config-file", "--dbus-daemon")), "dbus-launch": Wrap(),
    "strace": Wrap("oepsuEabIOPSX", writes=("-o",)), "ltrace": Wrap("oepsuna", writes=("-o",)),
    "valgrind": Wrap(writes=("--log-file", "--xml-file")),
    "unshare": Wrap("S G R w", ("--map-user", "--map-group", "--root", "--wd", "--setuid",
                                "--setgid", "--propagation", "--setgroups", "--kill-child")),
    "nsenter": Wrap("tSGwr", ("--target", "--setuid", "--setgid", "--wd", "--root")),
    "tini": Wrap("psel"), "dumb-init": Wrap("r"), "rlwrap": Wrap("aAbcCDfFHlmMoOpPqsSwz"),
    "caffeinate": Wrap("tw"), "retry": Wrap("tdm"), "entr": Wrap(""),
    "ssh-agent": Wrap("aEtP"), "dotenv": Wrap("fev", reads=("-f", "-e")), "with-contenv": Wrap(),
    "runuser": Wrap("ugGcsw", ("--user", "--group", "--supp-group", "--command", "--shell",
                               "--session-command", "--whitelist-environment"),
                    script_opts=("-c", "--command", "--session-command")),
    "su": Wrap("cgGsw", ("--command", "--session-command", "--group", "--supp-group", "--shell",
                         "--whitelist-environment"), script_opts=("-c", "--command",
                                                                  "--session-command"),
               skip=99),
}



def generic(cmd: Cmd, ctx: FileContext, out: Outcome, wrap: Wrap, start: int = 1) -> None:
    found = scan(cmd.argv, start, short_values=wrap.short, long_values=wrap.long,
                 stop_at_positional=True)
    path_opts(cmd, ctx, out, found, Kind.WRITE, *wrap.writes)
    path_opts(cmd, ctx, out, found, Kind.READ, *wrap.reads)
    if wrap.writes_operand and found.positional:
        add_paths(cmd, ctx, out, Kind.WRITE, found.positional[:1])
    for opt in found.values(*wrap.script_opts):
        script(cmd, out, opt.value or "", f"{cmd.name} {opt.name}",
                opt.value_index if opt.value_index is not None else opt.index)
    if found.has(*wrap.no_run) or found.values(*wrap.script_opts):
        return
    for opt in found.values("--chdir", "-D", "--working-directory", "--wd"):
        if cmd.name in ("sudo", "systemd-run", "unshare", "nsenter"):
            return generic_at(cmd, ctx, out, wrap, found.positional, opt.value)
    generic_at(cmd, ctx, out, wrap, found.positional, None)


def generic_at(cmd: Cmd, ctx: FileContext, out: Outcome, wrap: Wrap, positional: list[int],
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
    if wrap.join or (cmd.name == "sudo" and has_flag(cmd, ("-s", "-i", "--shell", "--login"))):
        text = " ".join(cmd.argv[start:])
        script(cmd, out, text, origin, start, all_known=all(cmd.known[start:]),
                download=any(cmd.dl[start:]))
        return
    cwd = None
    if chdir is not None:
        cwd = os.path.normpath(os.path.join(cmd.cwd, chdir))
    inner = cmd.tail(start, origin=origin, cwd=cwd)
    inner.assigns.update(assigns)
    out.inner.append(Inner(origin, cmd=inner))


def has_flag(cmd: Cmd, flags: tuple[str, ...]) -> bool:
    for arg in cmd.argv[1:]:
        if not arg.startswith("-"):
            return False
        if arg in flags or (not arg.startswith("--") and any(f[1] in arg[1:] for f in flags
                                                              if len(f) == 2)):
            return True
    return False


def script(cmd: Cmd, out: Outcome, text: str, origin: str, index: int, *,
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
