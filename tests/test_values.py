"""FrozenValue: the start-up path's value types behave like the frozen dataclasses they replaced."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import pytest

from blastshield.effects import Action, Decision, Effect, EffectDecision, Kind, Mode, RuleRef, Verdict
from blastshield.policy.model import EnvRules, ListRules, Pattern, Policy
from blastshield.values import FrozenValue


class _Point(FrozenValue):
    __slots__ = ("label", "x", "y")
    x: int
    y: int
    label: str

    def __init__(self, x: int, y: int, label: str = "") -> None:
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "label", label.strip())  # __init__ runs again on replace


def test_replace_changes_only_the_named_fields_through_init() -> None:
    point = _Point(1, 2, "a")
    moved = point.replace(y=5, label="  b ")
    assert (moved.x, moved.y, moved.label) == (1, 5, "b")
    assert type(moved) is _Point
    assert (point.x, point.y, point.label) == (1, 2, "a")  # the original is untouched
    assert point.replace() == point and point.replace() is not point


def test_replace_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="_Point has no field 'z'"):
        _Point(1, 2).replace(z=3)


def test_effect_keeps_its_constructor_defaults_equality_and_hash() -> None:
    effect = Effect.exec(("git", "status"), cwd="/w")
    assert (effect.kind, effect.target, effect.argv, effect.cwd) == \
        (Kind.EXEC, "git status", ("git", "status"), "/w")
    assert (effect.path, effect.host, effect.port, effect.floor, effect.floor_reason, effect.origin) == \
        (None, None, None, Verdict.ALLOW, "", "")
    same = Effect(Kind.EXEC, "git status", argv=("git", "status"), cwd="/w")
    assert same == effect and hash(same) == hash(effect) and len({same, effect}) == 1
    assert effect != Effect.exec(("git", "status"), cwd="/elsewhere")
    assert Effect.net("example.org", 443).target == "example.org:443"
    with pytest.raises(AttributeError, match="immutable"):
        setattr(effect, "target", "rm -rf /")  # noqa: B010


def test_effect_floor_only_ever_rises() -> None:
    effect = Effect.read("/etc/passwd")
    asked = effect.with_floor(Verdict.ASK, "unresolved", form="$X")
    assert (asked.floor, asked.floor_reason, asked.floor_form, asked.path) == \
        (Verdict.ASK, "unresolved", "$X", "/etc/passwd")
    assert asked.with_floor(Verdict.ALLOW, "lower") is asked
    assert asked.with_floor(Verdict.DENY, "worse").floor is Verdict.DENY


def test_decision_and_policy_values_round_trip_and_default_fresh_tables() -> None:
    rule = RuleRef("/w/.blastshield/policy.toml", "commands", "allow", 0, "git *")
    effect = Effect.exec(("git", "log"))
    decision = Decision(Verdict.ALLOW, Verdict.ALLOW, Mode.ENFORCE,
                        (EffectDecision(effect, Verdict.ALLOW, rule, "allowed"),), "abc")
    action = Action("claude-code", "Bash", "git log", (effect,))
    for value in (rule, decision, action):
        assert pickle.loads(pickle.dumps(value)) == value and copy.deepcopy(value) == value
    assert decision.deciding is decision.effects[0]
    assert Decision(Verdict.ASK, Verdict.ASK, Mode.SHADOW).effects == ()
    policy = Policy("/p", "/w", "digest")
    assert policy.network == ListRules(default=Verdict.DENY) and policy.commands.default is Verdict.ASK
    assert policy.env == EnvRules() and policy.files.read == ()
    tightened = policy.replace(mode=Mode.LEARN)
    assert tightened.mode is Mode.LEARN and tightened.files is policy.files
    shown = repr(Pattern("a", "files", "read", 0))
    assert shown.startswith("Pattern(") and "text='a'" in shown


def test_the_run_start_up_path_imports_no_dataclasses_or_hashlib() -> None:
    code = ("import sys; import blastshield.cli.commands.run, blastshield.sandbox.run; "
            "print(sorted(m for m in ('dataclasses', 'inspect', 'hashlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Single(FrozenValue):
    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "name", name)


def test_one_field_values_compare_and_hash_by_that_field() -> None:
    assert _Single("a") == _Single("a") and _Single("a") != _Single("b")
    assert hash(_Single("a")) == hash(("a",)) and len({_Single("a"), _Single("a")}) == 1
    assert _Single("a").replace(name="b") == _Single("b") and repr(_Single("a")) == "_Single(name='a')"
