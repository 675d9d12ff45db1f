"""Small scanners for the mini-languages that can run commands: awk programs and sed
scripts. They look for the constructs that run commands or touch files; when a script
cannot be read with certainty, they say so (fail closed)."""

from __future__ import annotations

import re
from functools import cache

_AWK_REGEX_BEFORE = set("(,~!{};&|\n") | {""}


def _awk_code(program: str) -> tuple[str, list[str]]:
    """The program with string and regex literals blanked out, and the strings."""
    out: list[str] = []
    strings: list[str] = []
    i, n = 0, len(program)
    prev = ""
    while i < n:
        c = program[i]
        if c == '"':
            j = i + 1
            while j < n and program[j] != '"':
                j += 2 if program[j] == "\\" else 1
            strings.append(program[i + 1: j])
            out.append('""')
            i = j + 1
            prev = '"'
            continue
        if c == "/" and prev in _AWK_REGEX_BEFORE:
            j = i + 1
            while j < n and program[j] not in "/\n":
                j += 2 if program[j] == "\\" else 1
            out.append("//")
            i = j + 1
            prev = "/"
            continue
        if c == "#":
            while i < n and program[i] != "\n":
                i += 1
            continue
        out.append(c)
        if not c.isspace():
            prev = c
        i += 1
    return "".join(out), strings


def awk_risk(program: str) -> str:
    """Why an awk program is risky ('' when it only reads and prints)."""
    code, _ = _awk_code(program)
    if re.search(r"\bsystem\s*\(", code):
        return "runs commands with system()"
    stripped = code.replace("||", "  ")
    if "|" in stripped:
        return "pipes to or from a command"
    if re.search(r"\bgetline\b[^;{}\n]*<", code):
        return "reads a file with getline"
    for stmt in re.split(r"[;{}\n]", code):
        m = re.search(r"\bprintf?\b(.*)", stmt)
        if m and _top_level_gt(m.group(1)):
            return "writes to a file with print >"
    if re.search(r"@load|\bextension\s*\(", code):
        return "loads an extension"
    return ""


def _top_level_gt(text: str) -> bool:
    depth = 0
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == ">" and depth <= 0:
            return True
    return False


class SedRisk:
    """Why a sed script is risky, and the files its r/w commands read and write."""

    __slots__ = ("reads", "reason", "writes")

    def __init__(self) -> None:
        self.reason = ""
        self.reads: list[str] = []
        self.writes: list[str] = []


@cache
def _address() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"\s*(?:\d+(?:~\d+)?|\$|/(?:[^/\\\n]|\\.)*/[IM]*|\\(.)(?:(?!\1).)*\1[IM]*)")


def sed_risk(script: str) -> SedRisk:
    """Find sed commands that run programs (``e``, ``s///e``) or touch files (``w``, ``r``)."""
    risk = SedRisk()
    i, n = 0, len(script)
    try:
        while i < n:
            c = script[i]
            if c in " \t\n;{}!":
                i += 1
                continue
            m = _address().match(script, i)
            if m and m.end() > i:
                i = m.end()
                if i < n and script[i] == ",":
                    m2 = _address().match(script, i + 1)
                    i = m2.end() if m2 else i + 1
                    if m2 is None and i < n and script[i] in "+~":
                        i += 1
                        while i < n and script[i].isdigit():
                            i += 1
                continue
            i = _sed_command(script, i, risk)
    except (IndexError, ValueError):
        risk.reason = risk.reason or "has a script that cannot be read with certainty"
    return risk


def _rest_of_line(script: str, i: int) -> tuple[str, int]:
    end = script.find("\n", i)
    end = len(script) if end < 0 else end
    return script[i:end].strip(), end


def _sed_command(script: str, i: int, risk: SedRisk) -> int:
    c = script[i]
    i += 1
    if c in "aic":
        _, end = _rest_of_line(script, i)
        return end
    if c in ":btT":
        while i < len(script) and script[i] not in ";\n}":
            i += 1
        return i
    if c in "rRwW":
        name, end = _rest_of_line(script, i)
        (risk.reads if c in "rR" else risk.writes).append(name)
        if c in "wW":
            risk.reason = risk.reason or f"writes a file with the '{c}' command"
        return end
    if c == "e":
        risk.reason = "runs a command with the 'e' command"
        _, end = _rest_of_line(script, i)
        return end
    if c in "sy":
        delim = script[i]
        if delim in "\n\\":
            raise ValueError("bad delimiter")
        i += 1
        for _ in range(2):
            while script[i] != delim:
                i += 2 if script[i] == "\\" else 1
            i += 1
        if c == "s":
            flags_start = i
            while i < len(script) and script[i] in "gpiImMe0123456789":
                i += 1
            flags = script[flags_start:i]
            if "e" in flags:
                risk.reason = "runs the pattern space as a command (s///e)"
            if i < len(script) and script[i] == "w":
                name, end = _rest_of_line(script, i + 1)
                risk.writes.append(name)
                risk.reason = risk.reason or "writes a file with the s///w flag"
                return end
        return i
    if c in "=dDgGhHlnNpPqQxzF#":
        if c == "#":
            _, end = _rest_of_line(script, i)
            return end
        while i < len(script) and script[i].isdigit():
            i += 1
        return i
    if c == "v":
        while i < len(script) and script[i] not in ";\n}":
            i += 1
        return i
    raise ValueError(f"unknown sed command {c!r}")
