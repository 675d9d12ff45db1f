"""Regular-expression literals that can backtrack catastrophically (nested quantifiers).

A group that is repeated without bound (``*``, ``+``, ``{n,}``) and itself contains an
unbounded repetition — ``(a+)+``, ``(\\w+\\s?)*``, ``(?:\\.[a-z]{2,})*`` — has "star height" 2:
on an input that almost matches, the engine tries exponentially or polynomially many ways
to split it. This is the classic safe-regex check; it over-approximates (a delimiter inside
the group can make it linear) and misses overlaps between neighbouring quantifiers.
"""

from __future__ import annotations


def nested_quantifier(pattern: str) -> bool:
    """Whether ``pattern`` repeats a group that already contains an unbounded repetition."""
    stack: list[bool] = []  # per open group: does it contain an unbounded quantifier?
    i, n = 0, len(pattern)
    last_group_unbounded = False  # the group that just closed contained one
    previous_was_group = False
    while i < n:
        c = pattern[i]
        quantifier_end = _unbounded_quantifier(pattern, i)
        if quantifier_end:
            if previous_was_group and last_group_unbounded:
                return True
            if stack:
                stack[-1] = True
            previous_was_group = False
            i = quantifier_end
            continue
        if c == "\\":
            i += 2
            previous_was_group = False
            continue
        if c == "[":
            i = _class_end(pattern, i)
            previous_was_group = False
            continue
        if c == "(":
            stack.append(False)
            previous_was_group = False
        elif c == ")" and stack:
            inner = stack.pop()
            last_group_unbounded = inner
            if inner and stack:
                stack[-1] = True
            previous_was_group = True
            i += 1
            continue
        else:
            previous_was_group = False
        i += 1
    return False


def _unbounded_quantifier(pattern: str, i: int) -> int:
    """End index of an unbounded quantifier starting at ``i`` (``*``, ``+``, ``{n,}``), else 0."""
    c = pattern[i]
    if c in "*+":
        end = i + 1
        return end + 1 if end < len(pattern) and pattern[end] in "?+" else end
    if c == "{":
        close = pattern.find("}", i)
        body = pattern[i + 1 : close] if close > 0 else ""
        if body.endswith(",") and body[:-1].isdigit():
            return close + 1
    return 0


def _class_end(pattern: str, i: int) -> int:
    i += 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1
