"""The chain's canonical form: the fast path is byte-identical to the rfc8785 package."""

from __future__ import annotations

import random
import string
from typing import Any

import rfc8785

from blastshield.audit.chain import canonical, chain_next, genesis
from blastshield.audit.screen import sanitize_json

_ALPHABET = string.printable + "\u00e9\u2028\u0000\u001f\x7f\u20ac\U0001f600\uffff"


def _value(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randint(0, 7 if depth < 3 else 4)
    if choice == 0:
        return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12)))
    if choice == 1:
        return rng.randint(-2**60, 2**60)
    if choice == 2:
        return rng.choice([True, False, None])
    if choice in (3, 4):
        return rng.choice([round(rng.random() * 10 ** rng.randint(-8, 22), rng.randint(0, 8)),
                           float(rng.randint(-10**6, 10**6)), rng.random()])
    if choice == 5:
        return {"".join(rng.choice(string.ascii_letters + "_é") for _ in range(rng.randint(0, 6))):
                _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_canonical_matches_rfc8785_on_random_values() -> None:
    rng = random.Random(8785)
    for _ in range(5000):
        value = sanitize_json(_value(rng))
        assert canonical(value) == rfc8785.dumps(value), value


def test_canonical_known_forms() -> None:
    assert canonical({"b": 1, "a": [True, None, "é\n"]}) == '{"a":[true,null,"é\\n"],"b":1}'.encode()
    assert canonical(sanitize_json({"x": 2.0, "y": 1e-7, "z": float("nan")})) == b'{"x":2,"y":1e-7,"z":null}'
    assert canonical(sanitize_json({"big": 2**60})) == b'{"big":"1152921504606846976"}'


def test_chain_links_and_genesis_binds_the_log() -> None:
    seq1, hash1, body1, _ = chain_next("log-a", None, "2025-01-01T00:00:00.000000Z", {"event": "x"})
    seq2, _, body2, text2 = chain_next("log-a", (seq1, hash1), "2025-01-01T00:00:01.000000Z", {"event": "y"})
    assert (seq1, seq2) == (1, 2)
    assert body1["prev"] == genesis("log-a") != genesis("log-b")
    assert body2["prev"] == hash1
    assert text2.encode() == canonical(body2)


def test_screened_fields_are_marked_canonical_exactly_when_the_chain_would_find_them_so() -> None:
    """screen_fields' one walk agrees with the chain's own check, and both with rfc8785."""
    from enum import StrEnum

    from blastshield.audit.chain import CanonicalFields, _plain
    from blastshield.audit.screen import screen_fields

    class Colour(StrEnum):
        RED = "red"

    rng = random.Random(1785)
    extras: list[Any] = [9.5e15, 1e16, 1e-5, -0.0, 2**53 + 1, {1: "a", "é": 1}, {"b", "a"}, ("x", 1.5),
                         Colour.RED, "\ud800x", float("inf"), {"\U0001f600": 1, "\uffff": 2}]
    for n in range(5000):
        value = _value(rng) if n >= len(extras) else extras[n]
        cleaned, _ = screen_fields({"action": value, "event": "x"}, frozenset({"event"}))
        assert cleaned == sanitize_json({"action": value, "event": "x"})
        assert (type(cleaned) is CanonicalFields) == _plain(cleaned), value
        time = "2025-01-01T00:00:00.000000Z"
        _, marked_hash, body, marked_text = chain_next("log", (1, "a" * 64), time, cleaned)
        _, plain_hash, _, plain_text = chain_next("log", (1, "a" * 64), time, dict(cleaned))
        assert (marked_hash, marked_text) == (plain_hash, plain_text)
        assert marked_text.encode() == rfc8785.dumps(body)


def test_sanitize_keeps_its_rules() -> None:
    assert sanitize_json({1: ("a", {"b"}), "s": {"z", "y"}, "big": -2**54, "f": 3.0, "n": float("-inf"),
                          "u": "\ud800"}) == {"1": ["a", ["b"]], "s": ["y", "z"], "big": str(-2**54), "f": 3,
                                              "n": None, "u": "?"}
    assert sanitize_json(object) == str(object)
