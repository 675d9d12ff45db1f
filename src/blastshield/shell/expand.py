"""Bash word expansions on plain strings: ANSI-C ``$'...'`` decoding, brace expansion
(``{a,b}``, ``{1..3}``) and field splitting. A mask gives each character's origin:
unquoted literal (tilde, braces and globs active), quoted (inert), or the result of an
unquoted expansion (split on blanks, globs active)."""

from __future__ import annotations

import itertools
import re

LIT, QUOTED, EXPANDED = 0, 1, 2

_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def decode_ansi_c(body: str) -> str:
    """Decode the inside of ``$'...'`` as bash does."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        i += 2
        if e in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[e])
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            m = re.match(f"[0-9a-fA-F]{{1,{width}}}", body[i:])
            if m:
                out.append(chr(min(int(m.group(0), 16), 0x10FFFF)))
                i += len(m.group(0))
            else:
                out.append("\\" + e)
        elif e in "01234567":
            m = re.match(r"[0-7]{0,2}", body[i:])
            digits = e + (m.group(0) if m else "")
            out.append(chr(int(digits, 8) & 0xFF))
            i += len(digits) - 1
        elif e == "c" and i < n:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + e)
    return "".join(out)


def split_fields(word: str, mask: list[int]) -> list[tuple[str, list[int]]]:
    if EXPANDED not in mask:
        return [(word, mask)]
    out: list[tuple[str, list[int]]] = []
    cur: list[str] = []
    cmask: list[int] = []
    for ch, m in zip(word, mask, strict=True):
        if m == EXPANDED and ch in " \t\n":
            if cur:
                out.append(("".join(cur), cmask))
            cur, cmask = [], []
        else:
            cur.append(ch)
            cmask.append(m)
    if cur:
        out.append(("".join(cur), cmask))
    return out


_MAX_BRACE = 256


def brace_expand(text: str, mask: list[int]) -> list[tuple[str, list[int]]]:
    """Bash brace expansion over the unquoted characters (``{a,b}``, ``{1..3}``)."""
    results = _brace_once(text, mask)
    if results is None:
        return [(text, mask)]
    out: list[tuple[str, list[int]]] = []
    for word, wmask in results:
        out.extend(brace_expand(word, wmask))
        if len(out) > _MAX_BRACE:
            return out[:_MAX_BRACE]
    return out


def _brace_once(text: str, mask: list[int]) -> list[tuple[str, list[int]]] | None:
    n = len(text)
    for open_at in range(n):
        if text[open_at] != "{" or mask[open_at] != LIT or (open_at and text[open_at - 1] == "$"):
            continue
        depth = 0
        commas: list[int] = []
        for j in range(open_at + 1, n):
            if mask[j] != LIT:
                continue
            c = text[j]
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:
                    body = text[open_at + 1: j]
                    pre, pmask = text[:open_at], mask[:open_at]
                    post, qmask = text[j + 1:], mask[j + 1:]
                    if commas:
                        parts: list[tuple[str, list[int]]] = []
                        bounds = [open_at, *commas, j]
                        for a, b in itertools.pairwise(bounds):
                            parts.append((text[a + 1: b], mask[a + 1: b]))
                        return [(pre + p + post, pmask + m + qmask) for p, m in parts]
                    seq = _sequence(body)
                    if seq is not None:
                        return [(pre + s + post, pmask + [QUOTED] * len(s) + qmask) for s in seq]
                    break
                depth -= 1
            elif c == "," and depth == 0:
                commas.append(j)
    return None


def _sequence(body: str) -> list[str] | None:
    m = re.fullmatch(r"(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?", body)
    if not m:
        return None
    a, b, step_text = m.group(1), m.group(2), m.group(3)
    step = abs(int(step_text)) if step_text else 1
    step = step or 1
    if a.lstrip("-").isdigit() and b.lstrip("-").isdigit():
        lo, hi = int(a), int(b)
        rng = range(lo, hi + 1, step) if lo <= hi else range(lo, hi - 1, -step)
        return [str(v) for v in list(rng)[:_MAX_BRACE]]
    if a.isalpha() and b.isalpha():
        lo, hi = ord(a), ord(b)
        rng = range(lo, hi + 1, step) if lo <= hi else range(lo, hi - 1, -step)
        return [chr(v) for v in list(rng)[:_MAX_BRACE]]
    return None
