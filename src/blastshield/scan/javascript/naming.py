"""What names say: splitting identifiers into words, and the contexts a value is used in."""

from __future__ import annotations

import itertools
import re

from blastshield.scan.javascript.parse import Node, text

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "passphrase",
        "privatekey",
        "accesskey",
        "clientsecret",
        "auth",
        "bearer",
    }
)
STRONG_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "signature",
        "hmac",
        "digest",
        "apikey",
        "otp",
        "csrf",
        "passphrase",
        "pass",
    }
)
ID_WORDS = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "nonce",
        "salt",
        "session",
        "sid",
        "csrf",
        "otp",
        "uuid",
        "guid",
        "id",
        "ids",
        "uid",
        "identifier",
        "apikey",
        "pass",
        "code",
        "pin",
        "auth",
        "hash",
        "random",
        "rand",
        "rnd",
        "unique",
        "name",
        "suffix",
        "postfix",
        "ticket",
        "invite",
        "reset",
        "verification",
        "challenge",
        "seed",
        "iv",
    }
)


def words(name: str) -> list[str]:
    """``getApiKey`` → ``['get', 'api', 'key', 'apikey']`` (adjacent pairs joined too)."""
    parts = [w.lower() for w in _WORD.findall(name.replace("$", " "))]
    joined = [a + b for a, b in itertools.pairwise(parts)]
    return parts + joined


def has_word(name: str, vocabulary: frozenset[str]) -> bool:
    return any(w in vocabulary for w in words(name))


def context_names(node: Node, limit: int = 8) -> list[str]:
    """Names that describe where an expression's value goes: the variable, property or
    parameter it is assigned to, the key it is stored under, the enclosing function's name."""
    names: list[str] = []
    current: Node | None = node
    steps = 0
    while current is not None and steps < limit:
        parent = current.parent
        if parent is None:
            break
        kind = parent.type
        if kind == "variable_declarator":
            names.append(text(parent.child_by_field_name("name")))
        elif kind in ("assignment_expression", "augmented_assignment_expression"):
            names.append(text(parent.child_by_field_name("left")))
        elif kind == "pair":
            names.append(text(parent.child_by_field_name("key")))
        elif kind in ("function_declaration", "method_definition", "function_expression"):
            name = parent.child_by_field_name("name")
            if name is not None:
                names.append(text(name))
            break
        elif kind == "arrow_function":
            owner = parent.parent
            if owner is not None and owner.type == "variable_declarator":
                names.append(text(owner.child_by_field_name("name")))
            break
        elif kind.endswith("statement") and kind != "return_statement":
            break
        current = parent
        steps += 1
    return names
