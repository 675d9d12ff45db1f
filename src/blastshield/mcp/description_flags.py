"""Injection-like text in a tool's description and schema ("tool poisoning").

A description is read by the model as instructions. A hostile server hides orders there:
"ignore previous instructions", ``<IMPORTANT>`` blocks, "do not tell the user", requests
to read ``~/.ssh`` or pass a file's contents as an argument, invisible Unicode. These flags
are heuristics for the log and for a human reviewer; they do not decide anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_MAX_TEXT = 64 * 1024


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    where: str  # "description", "inputSchema.properties.x.description", ...
    excerpt: str


_SOURCES: tuple[tuple[str, str], ...] = (
    ("override-instructions",
     r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:previous|prior|above|earlier|all|other|system)\b"
     r".{0,20}\b(?:instructions?|prompts?|rules?|guidelines?|directions?)"),
    ("hidden-tag", r"<\s*/?\s*(?:important|system|instructions?|secret|hidden|admin|critical|note)\b[^>]*>"),
    ("conceal-from-user",
     r"\b(?:do\s*n[o']t|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|notify(?:ing)?|"
     r"show(?:ing)?|alert(?:ing)?|reveal(?:ing)?)\b.{0,30}\buser\b"),
    ("sensitive-path",
     r"(?:~|\$HOME|/home/[^/\s]+|/root)/\.(?:ssh|aws|gnupg|kube|docker|config/gh|netrc|npmrc|pypirc)\b|"
     r"\bid_(?:rsa|ed25519|ecdsa)\b|(?<![\w.])\.env\b|\bmcp\.json\b|\bcredentials(?:\.json)?\b"),
    ("exfiltrate-instruction",
     r"\b(?:read|cat|include|pass|send|attach|upload|append)\b.{0,60}\b(?:contents?|file|secret|token|key|"
     r"password|conversation|history)\b.{0,60}\b(?:as|into|in|to)\b.{0,30}\b(?:parameter|argument|param|field|"
     r"sidenote|url|request)\b"),
    ("tool-shadowing",
     r"\b(?:when|whenever|before|after)\b.{0,40}\b(?:using|calling|invoking)\b.{0,40}\b(?:any\s+other|another|"
     r"the\s+\w+)\s+tool\b.{0,80}\b(?:must|always|first|instead)\b"),
    ("invisible-text",
     r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\U000e0000-\U000e007f]"),
    ("html-comment", r"<!--.*?-->"),
)
_PATTERNS = tuple((name, re.compile(rx, re.IGNORECASE | re.DOTALL)) for name, rx in _SOURCES)
_SCHEMA_TEXT_KEYS = ("description", "title", "default", "examples", "enum", "const")


def _texts(tool: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("description", "title"):
        value = tool.get(key)
        if isinstance(value, str):
            yield key, value
    yield from _schema_texts(tool.get("inputSchema"), "inputSchema", 0)


def _schema_texts(node: Any, where: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > 12:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _SCHEMA_TEXT_KEYS and isinstance(value, str):
                yield f"{where}.{key}", value
            elif isinstance(value, dict | list):
                yield from _schema_texts(value, f"{where}.{key}", depth + 1)
            if key == "properties" and isinstance(value, dict):
                for name in value:
                    if isinstance(name, str) and len(name) > 40:
                        yield f"{where}.properties (name)", name
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, str):
                yield f"{where}[{index}]", item
            else:
                yield from _schema_texts(item, f"{where}[{index}]", depth + 1)


def flags_for(tool: Mapping[str, Any]) -> list[Flag]:
    """Every injection-like pattern found in ``tool``'s texts (one flag per pattern and place)."""
    found: list[Flag] = []
    for where, text in _texts(tool):
        text = text[:_MAX_TEXT]
        for name, pattern in _PATTERNS:
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 20)
                excerpt = text[start:match.end() + 20].encode("unicode_escape").decode("ascii")
                found.append(Flag(name, where, excerpt[:160]))
    return found
