"""The chain's canonical form: the fast path is byte-identical to the rfc8785 package."""

from __future__ import annotations

import random
import string
from typing import Any

import rfc8785

from blastshield.audit.chain import canonical, chain_next, genesis
from blastshield.audit.events import sanitize_json

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
